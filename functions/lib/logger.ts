import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger of every function. Never pass it a secret access key or a secret's value. */
export const logger = new Logger({ serviceName: 'tenant-provisioner' });
