import { lambdaBase } from '../lib/handler';
import { awsLifecycleClients } from '../lib/ledger/aws-lifecycle';
import { trackExecutionStatusHandler } from '../track-execution-status';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = trackExecutionStatusHandler({ ...awsLifecycleClients(config), config, logger });
