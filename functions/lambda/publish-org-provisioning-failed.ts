import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { lambdaBase } from '../lib/handler';
import { publishOrgProvisioningFailedHandler } from '../publish-org-provisioning-failed';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = publishOrgProvisioningFailedHandler({ eventBridge: new EventBridgeClient({}), config, logger });
