import { Logger } from '@aws-lambda-powertools/logger';

/**
 * A function's logger (Powertools, JSON lines with the Lambda context). One per Lambda entry,
 * made at cold start; locally one for every function of the pipeline. Never pass it a secret
 * access key or a secret's value.
 */
export function createLogger(): Logger {
  return new Logger({ serviceName: 'tenant-provisioner' });
}
