/**
 * The real handlers of every Task, wired as their Lambda entries (functions/lambda/) wire them:
 * the stage's configuration from the test environment (test/setup-env.ts) and fresh SDK clients,
 * which the suite's `mockClient(…)` mocks answer (they stub every instance of a client class).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionPort, stageStateMachineArns, type ExecutionPort } from '../../functions/lib/executions';
import { lambdaBase } from '../../functions/lib/handler';
import { lambdaTenantClients } from '../../functions/lib/lambda-tenant-clients';
import { lambdaRotationSchedule } from '../../functions/lib/rotation-schedule';
import { s3ClientsByRegion } from '../../functions/lib/s3-clients';
import { taskHandlers, type TaskHandler } from '../../functions/registry';

/** `ValidateOrgFunctionArn` → the validate-org handler, and so on (`executions`: what the ledger step stops superseded runs with; default Step Functions' over the SFN client). */
export function testTaskHandlers(options: { executions?: ExecutionPort } = {}): Record<string, TaskHandler> {
  const { config, logger } = lambdaBase();
  const secretsManager = new SecretsManagerClient({});
  return taskHandlers({
    config,
    logger,
    clients: {
      s3For: s3ClientsByRegion(),
      s3control: new S3ControlClient({}),
      iam: new IAMClient({}),
      secretsManager,
      keyRotation: lambdaRotationSchedule(secretsManager, config, true),
      eventBridge: new EventBridgeClient({}),
      dynamodb: new DynamoDBClient({}),
      asTenant: lambdaTenantClients,
    },
    executions: options.executions ?? new SfnExecutionPort(new SFNClient({}), stageStateMachineArns(config)),
  });
}
