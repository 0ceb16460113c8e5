import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { lambdaBase } from '../lib/handler';
import { publishOrgDeprovisionedHandler } from '../publish-org-deprovisioned';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = publishOrgDeprovisionedHandler({ eventBridge: new EventBridgeClient({}), config, logger });
