import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './logger';
import { withSourceStack } from './stack-traces';

/**
 * The thin adapter every function uses: middy with the Powertools logger's Lambda context.
 * `core` gets the event and the Lambda context (for the remaining-time budget). An error that
 * leaves it has its stack mapped to the TypeScript sources (see stack-traces.ts).
 */
export function lambdaHandler<TEvent, TResult>(core: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(logger))
    .handler((event, context) => core(event, context).catch((err: unknown) => Promise.reject(withSourceStack(err))));
}
