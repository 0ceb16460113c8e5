import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { loadConfig, type Config, type Env } from './config';
import { createLogger } from './logger';
import { withSourceStack } from './stack-traces';

/** What every function is built with besides its own clients: the stage's configuration and the logger. */
export interface FunctionBase {
  config: Config;
  logger: Logger;
}

/**
 * What a Lambda entry (functions/lambda/) reads once, at cold start: the configuration from
 * its environment (a missing or malformed variable fails the cold start with its name) and the logger.
 */
export function lambdaBase(env: Env = process.env): FunctionBase {
  return { config: loadConfig(env), logger: createLogger() };
}

/**
 * The thin adapter every function's handler factory uses: middy with the Powertools logger's
 * Lambda context. `core` gets the event and the Lambda context (for the remaining-time budget).
 * An error that leaves it has its stack mapped to the TypeScript sources (see stack-traces.ts).
 */
export function lambdaHandler<TEvent, TResult>(logger: Logger, core: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(logger))
    .handler((event, context) => core(event, context).catch((err: unknown) => Promise.reject(withSourceStack(err))));
}
