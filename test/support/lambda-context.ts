import type { Context } from 'aws-lambda';
import { localLambdaContext } from '../../local/lambda-context';

/** A Lambda context for calling real handlers in-process (the local runner's); `remainingMs` drives time budgets. */
export function fakeLambdaContext(functionName = 'tenant-provisioner-test-fn', remainingMs: () => number = () => 900_000): Context {
  return localLambdaContext(functionName, { remainingMs });
}
