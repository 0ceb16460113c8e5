import { lambdaBase } from '../lib/handler';
import { awsLifecycleClients } from '../lib/ledger/aws-lifecycle';
import { routeOrgEventHandler } from '../route-org-event';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = routeOrgEventHandler({ ...awsLifecycleClients(config), config, logger });
