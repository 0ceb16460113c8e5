import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionPort, stateMachineArn, WORKFLOWS } from '../lib/executions';
import { lambdaBase } from '../lib/handler';
import { DynamoLedgerStore } from '../lib/ledger/dynamo-store';
import { powertoolsLiveTenantsMetric } from '../lib/metrics';
import { recordTenantStateHandler } from '../record-tenant-state';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
// The state machines' ARNs from their names, not from the environment: the state machines name
// this function, so a reference back to them would be a cycle in the stack.
const arns = Object.fromEntries(WORKFLOWS.map((workflow) => [workflow, stateMachineArn(config.region, config.accountId, config.stage, workflow)]));
export const handler = recordTenantStateHandler({
  ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable),
  executions: new SfnExecutionPort(new SFNClient({}), arns),
  metrics: powertoolsLiveTenantsMetric(config.stage),
  config,
  logger,
});
