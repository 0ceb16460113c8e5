import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionPort, stageStateMachineArns } from '../lib/executions';
import { lambdaBase } from '../lib/handler';
import { DynamoLedgerStore } from '../lib/ledger/dynamo-store';
import { powertoolsLiveTenantsMetric } from '../lib/metrics';
import { recordTenantStateHandler } from '../record-tenant-state';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = recordTenantStateHandler({
  ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable),
  // The state machines' ARNs from their names, not from the environment: the state machines name
  // this function, so a reference back to them would be a cycle in the stack.
  executions: new SfnExecutionPort(new SFNClient({}), stageStateMachineArns(config)),
  metrics: powertoolsLiveTenantsMetric(config.stage),
  config,
  logger,
});
