import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './logger';

/**
 * The thin adapter every function uses: middy with the Powertools logger's Lambda context.
 * `core` gets the event and the Lambda context (for the remaining-time budget).
 */
export function lambdaHandler<TEvent, TResult>(core: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(logger))
    .handler((event, context) => core(event, context));
}
