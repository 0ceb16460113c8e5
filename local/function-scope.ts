/**
 * Which function's code is running. On AWS every function is its own process and knows its
 * name (`AWS_LAMBDA_FUNCTION_NAME`); locally every handler runs in this one, so the local
 * runner marks each invocation (a Task's handler, the router, the status tracker) with the
 * function's key — its name in serverless.yml (`createTenantBucket`) — in an async context
 * that follows the invocation's awaits and nothing else.
 *
 * Nothing in functions/ reads it. The workflow and integration tests do: they hold every SDK
 * command a function sends to the actions the security suite proves its role allows
 * (test/support/sdk-calls/).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const running = new AsyncLocalStorage<string>();

/** Runs `invoke` as the function `functionKey`: what it awaits, and what that sends, is that function's. */
export function runAsFunction<T>(functionKey: string, invoke: () => T): T {
  return running.run(functionKey, invoke);
}

/** Runs `work` as no function (Step Functions running an execution a function started is not that function). */
export function runOutsideFunctions<T>(work: () => T): T {
  return running.exit(work);
}

/** The key of the function whose invocation is running here, if any. */
export function currentFunction(): string | undefined {
  return running.getStore();
}

/**
 * The function behind a Task's Resource: `${CreateTenantBucketFunctionArn}` → `createTenantBucket`
 * (the placeholders serverless.yml's DefinitionSubstitutions fill); any other Resource is its own key.
 */
export function functionKeyOfResource(resource: string): string {
  const key = /^\$\{(\w+)FunctionArn\}$/.exec(resource)?.[1];
  return key === undefined ? resource : `${key.charAt(0).toLowerCase()}${key.slice(1)}`;
}
