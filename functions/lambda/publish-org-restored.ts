import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { lambdaBase } from '../lib/handler';
import { publishOrgRestoredHandler } from '../publish-org-restored';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = publishOrgRestoredHandler({ eventBridge: new EventBridgeClient({}), config, logger });
