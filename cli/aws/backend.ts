import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { POS_EVENT_SOURCE } from '../../functions/lib/events';
import { stateMachineArn } from '../../functions/lib/executions';
import { applyLifecycle } from '../../functions/lib/ledger/apply';
import { DynamoLedgerStore } from '../../functions/lib/ledger/dynamo-store';
import { putEvent } from '../../functions/lib/publish';
import type { Backend } from '../backend';
import { CliError, EXIT_USAGE } from '../errors';
import type { CliIo } from '../output';
import { operatorLogger } from '../logger';
import { rotationFunctionArn, stageConfig } from './config';
import { AwsKeyRotation } from './key-rotation';
import { SfnOperatorPort } from './sfn-operator-port';
import { DEFAULT_STAGE } from '../invocation';


async function resolveRegion(client: SFNClient): Promise<string> {
  try {
    const region = await client.config.region();
    if (region) return region;
  } catch {
    // Reported below as one sentence.
  }
  throw new CliError('No AWS region is configured: set AWS_REGION (or a region in your AWS profile), or use --local', EXIT_USAGE);
}

/**
 * The tenant ledger (DynamoDB), Step Functions, EventBridge, IAM, S3 and Secrets Manager of the
 * account and region of the standard AWS credential chain. The stage's resources are named as
 * serverless.yml names them: the ledger `tenant-provisioner-<stage>-tenants`
 * (TENANT_PROVISIONER_LEDGER_TABLE overrides), the state machines
 * `tenant-provisioner-<stage>-{provision,teardown,restore}-tenant`; the account comes from
 * TENANT_PROVISIONER_ACCOUNT_ID or STS GetCallerIdentity. Events go on the stage's bus
 * (TENANT_PROVISIONER_EVENT_BUS, default `default`) with source `pos.signup`. Operators'
 * requests (restore, a new generation, a redriven run) are applied to the ledger here, with the
 * operator's credentials, by the same code the router runs. Key rotation goes through Secrets
 * Manager, whose rotation function is `tenant-provisioner-<stage>-rotateTenantCredentials`
 * (TENANT_PROVISIONER_ROTATION_FUNCTION_ARN overrides).
 */
export async function openAwsBackend(options: { stage?: string }, io: CliIo): Promise<Backend> {
  const stage = options.stage ?? DEFAULT_STAGE;
  if (!/^[A-Za-z0-9-]{1,40}$/.test(stage)) throw new CliError(`--stage ${JSON.stringify(stage)} is not a stage name`, EXIT_USAGE);
  const sfn = new SFNClient({});
  const region = await resolveRegion(sfn);
  const configuredAccount = io.env.TENANT_PROVISIONER_ACCOUNT_ID?.trim();
  if (configuredAccount && !/^\d{12}$/.test(configuredAccount)) {
    throw new CliError(`TENANT_PROVISIONER_ACCOUNT_ID=${JSON.stringify(configuredAccount)} is not a 12-digit AWS account id`, EXIT_USAGE);
  }
  const accountId = configuredAccount || (await new STSClient({ region }).send(new GetCallerIdentityCommand({}))).Account;
  if (!accountId) throw new CliError('STS GetCallerIdentity returned no account id');
  const config = stageConfig(stage, region, accountId, io.env);

  const pollMs = io.pollMs ?? 2_000;
  const executions = new SfnOperatorPort(
    sfn,
    {
      provision: stateMachineArn(region, accountId, stage, 'provision'),
      teardown: stateMachineArn(region, accountId, stage, 'teardown'),
      restore: stateMachineArn(region, accountId, stage, 'restore'),
    },
    pollMs,
    io.sleep,
  );
  const eventBridge = new EventBridgeClient({ region });
  const ledger = new DynamoLedgerStore(new DynamoDBClient({ region }), config.tenantLedgerTable);
  const s3ByRegion = new Map<string, S3Client>();
  const iam = new IAMClient({ region });
  const secretsManager = new SecretsManagerClient({ region });
  const rotation = new AwsKeyRotation({
    secretsManager,
    iam,
    config,
    rotationFunctionArn: rotationFunctionArn(stage, region, accountId, io.env),
    pollMs,
    sleep: io.sleep,
    now: io.now,
  });

  return {
    mode: 'aws',
    location: `AWS account ${accountId}, ${region}, stage ${stage}`,
    accountId,
    region,
    config,
    ledger,
    executions,
    s3For: (bucketRegion) => {
      let client = s3ByRegion.get(bucketRegion);
      if (!client) s3ByRegion.set(bucketRegion, (client = new S3Client({ region: bucketRegion })));
      return client;
    },
    iam,
    secretsManager,
    rotation,
    putOrgEvent: async (detailType, detail) => ({
      eventId: await putEvent(eventBridge, { eventSource: POS_EVENT_SOURCE, eventBusName: config.eventBusName }, detailType, detail),
    }),
    lifecycle: (request) => applyLifecycle(request, { ledger, config, executions, eventBridge, logger: operatorLogger(io), now: io.now }),
    redrive: (workflow, name, clientToken) => executions.redrive(workflow, name, { clientToken }),
    redriveFrom: 'failed-state',
    pollMs,
    close: async () => undefined,
  };
}
