import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { lambdaBase } from '../lib/handler';
import { publishOrgProvisionedHandler } from '../publish-org-provisioned';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = publishOrgProvisionedHandler({ eventBridge: new EventBridgeClient({}), config, logger });
