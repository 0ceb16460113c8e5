import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionPort, stateMachineArnsFromEnv } from '../lib/executions';
import { lambdaBase } from '../lib/handler';
import { DynamoLedgerStore } from '../lib/ledger/dynamo-store';
import { powertoolsLiveTenantsMetric } from '../lib/metrics';
import { routeOrgEventHandler } from '../route-org-event';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = routeOrgEventHandler({
  ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable),
  executions: new SfnExecutionPort(new SFNClient({}), stateMachineArnsFromEnv(process.env)),
  eventBridge: new EventBridgeClient({}),
  metrics: powertoolsLiveTenantsMetric(config.stage),
  config,
  logger,
});
