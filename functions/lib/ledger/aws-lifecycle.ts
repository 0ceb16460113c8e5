import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Config } from '../config';
import { SfnExecutionPort, stateMachineArnsFromEnv } from '../executions';
import { powertoolsLiveTenantsMetric } from '../metrics';
import { DynamoLedgerStore } from './dynamo-store';

/**
 * What the router's and the status tracker's Lambda entries decide and act with on AWS: the
 * tenant ledger's table, Step Functions (the state machines' ARNs from the environment
 * serverless.yml gives both), EventBridge and the live-tenant metric. Made by the caller, once.
 */
export function awsLifecycleClients(config: Config, env: Record<string, string | undefined> = process.env) {
  return {
    ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable),
    executions: new SfnExecutionPort(new SFNClient({}), stateMachineArnsFromEnv(env)),
    eventBridge: new EventBridgeClient({}),
    metrics: powertoolsLiveTenantsMetric(config.stage),
  };
}
