/**
 * The local stage's "stack" inside the emulator: what serverless.yml would create that the
 * Lambdas rely on (the tenants' permissions boundary), a queue that receives every event the
 * workflows emit (EventBridge rule → SQS, as a consumer would see them), and a scanner that
 * lists every tenant resource left in the emulator.
 */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreatePolicyCommand,
  EntityAlreadyExistsException,
  IAMClient,
  paginateListAccessKeys,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  ListBucketsCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { paginateListSecrets, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { stateMachineArn } from '../functions/lib/executions';
import { LEDGER_KEY, ledgerTableName } from '../functions/lib/ledger/dynamo-store';
import { CONFIG_DEFAULTS, loadConfig, MANAGED_BY, type Config, type Tenancy } from '../functions/lib/config';
import type { FunctionClients } from '../functions/registry';
import { s3ClientsByRegion } from '../functions/lib/s3-clients';
import type { NamingConfig } from '../functions/lib/naming';
import { prefixTenantPolicy, tenantBoundaryPolicy } from '../functions/lib/policies';
import { TAG_MANAGED_BY } from '../functions/lib/tags';
import { withCurrentVersionByDefault, withLocalRotationState } from './rotation-state';
import { LocalSecretsRotation } from './secrets-rotation';
import { iamAccessKeyStatus, localTenantClients } from './tenant-key-check';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_STAGE = 'local';
export const LOCAL_BUCKET_PREFIX = CONFIG_DEFAULTS.bucketPrefix;
const LOCAL_USER_PREFIX = CONFIG_DEFAULTS.userPrefix;
const LOCAL_MAX_BUCKET_CANDIDATES = CONFIG_DEFAULTS.maxBucketCandidates;
const BOUNDARY_NAME = `tenant-provisioner-${LOCAL_STAGE}-tenant-boundary`;
const EVENTS_NAME = `tenant-provisioner-${LOCAL_STAGE}-events`;
const PREFIX_POLICY_NAME = `tenant-provisioner-${LOCAL_STAGE}-tenant-prefix`;
/** The local stage's shared bucket, for prefix tenants (made only when a run asks for prefix tenancy). */
export const LOCAL_SHARED_BUCKET = `tenant-provisioner-${LOCAL_STAGE}-shared`;
/** The tenant ledger's table, as serverless.yml names it for the local stage. */
export const LOCAL_LEDGER_TABLE = ledgerTableName(LOCAL_STAGE);
const EVENT_SOURCE = 'tenant-provisioner';
/**
 * The emulator takes any key. Which account it answers for is the emulator's to say: moto's is
 * always 123456789012, LocalStack's follows the key (a 12-digit key id is that account, any other
 * 000000000000), a user's own emulator may differ again: see {@link localAccountId}.
 */
const LOCAL_CREDENTIALS = { accessKeyId: 'local-emulator', secretAccessKey: 'local-emulator' };

const accounts = new Map<string, Promise<string>>();

/**
 * The account the emulator at `endpoint` answers for with the local credentials, as
 * `sts:GetCallerIdentity` tells it (asked once per endpoint): the account every ARN of the local
 * stage (boundary, prefix policy, state machines) and every ExpectedBucketOwner must name.
 */
export function localAccountId(endpoint: string): Promise<string> {
  let account = accounts.get(endpoint);
  if (!account) {
    const sts = new STSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    account = sts
      .send(new GetCallerIdentityCommand({}))
      .then(({ Account }) => {
        if (!Account || !/^\d{12}$/.test(Account)) throw new Error(`The emulator at ${endpoint} answered GetCallerIdentity without an account id (${String(Account)})`);
        return Account;
      })
      .finally(() => sts.destroy());
    account.catch(() => accounts.delete(endpoint));
    accounts.set(endpoint, account);
  }
  return account;
}

/** What a local run may choose of the stage's settings. */
export interface LocalStageOptions {
  /** The stage's allowed regions (default: the local region only); the first is the default. */
  allowedRegions?: readonly string[];
  /** How new tenants are provisioned (default `bucket`); `prefix` keeps them in {@link LOCAL_SHARED_BUCKET}. */
  tenancy?: Tenancy;
  /** With `tenancy: 'prefix'`: whether prefix tenants may set canned ACLs on their objects. */
  objectAcls?: boolean;
  /** Days a teardown keeps a tenant's emptied bucket before deleting it (default 0: at once). */
  keepEmptyBucketAfterTeardownDays?: number;
  /** The count at which a teardown continues in a new execution (default: the stage's, lib/history-budget.ts); tests make it small. */
  teardownContinueAtEvents?: number;
}

/**
 * The environment the Lambdas read at cold start, for the local stage against `endpoint`.
 * The same settings serverless.yml gives them, with the local stage's values.
 */
export function localEnvironment(endpoint: string, accountId: string, options: LocalStageOptions = {}): Record<string, string> {
  const prefixTenancy: Record<string, string> =
    options.tenancy === 'prefix'
      ? {
          TENANCY: 'prefix',
          SHARED_BUCKET: LOCAL_SHARED_BUCKET,
          TENANT_PREFIX_POLICY_ARN: `arn:aws:iam::${accountId}:policy/${PREFIX_POLICY_NAME}`,
          OBJECT_ACLS: options.objectAcls ? 'enabled' : 'disabled',
        }
      : {};
  return {
    ...prefixTenancy,
    ...(options.teardownContinueAtEvents === undefined ? {} : { TEARDOWN_CONTINUE_AT_EVENTS: String(options.teardownContinueAtEvents) }),
    ...(options.keepEmptyBucketAfterTeardownDays === undefined ? {} : { KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS: String(options.keepEmptyBucketAfterTeardownDays) }),
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    STAGE: LOCAL_STAGE,
    ACCOUNT_ID: accountId,
    BUCKET_PREFIX: LOCAL_BUCKET_PREFIX,
    USER_PREFIX: LOCAL_USER_PREFIX,
    TENANT_BOUNDARY_ARN: `arn:aws:iam::${accountId}:policy/${BOUNDARY_NAME}`,
    EVENT_BUS_NAME: 'default',
    EVENT_SOURCE,
    ALLOWED_REGIONS: (options.allowedRegions ?? [LOCAL_REGION]).join(','),
    BUCKET_POLICY_TLS_ONLY: 'false',
    VERIFY_ADOPTED_USER_BOUNDARY: 'false',
    // moto drops CreateBucket's Tags (AWS applies them): the step checks and puts them here only.
    VERIFY_CREATE_BUCKET_TAGS: 'true',
    DEFAULT_RETENTION_DAYS: String(CONFIG_DEFAULTS.defaultRetentionDays),
    MAX_BUCKET_CANDIDATES: String(LOCAL_MAX_BUCKET_CANDIDATES),
    TENANT_LEDGER_TABLE: LOCAL_LEDGER_TABLE,
    TENANT_QUOTA: String(CONFIG_DEFAULTS.tenantQuota),
    // The live-tenant metric is CloudWatch's (embedded metric format in Lambda's logs): locally it would only be noise on stdout.
    POWERTOOLS_METRICS_DISABLED: 'true',
    PROVISION_STATE_MACHINE_ARN: stateMachineArn(LOCAL_REGION, accountId, 'local', 'provision'),
    TEARDOWN_STATE_MACHINE_ARN: stateMachineArn(LOCAL_REGION, accountId, 'local', 'teardown'),
    RESTORE_STATE_MACHINE_ARN: stateMachineArn(LOCAL_REGION, accountId, 'local', 'restore'),
  };
}

/** What the local stage's tenant names are derived from (the settings above), in the emulator's `accountId`. */
export function localNaming(accountId: string): NamingConfig {
  return {
    bucketPrefix: LOCAL_BUCKET_PREFIX,
    userPrefix: LOCAL_USER_PREFIX,
    accountId,
    maxBucketCandidates: LOCAL_MAX_BUCKET_CANDIDATES,
    stage: LOCAL_STAGE,
  };
}

export interface LocalClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  eventBridge: EventBridgeClient;
  sqs: SQSClient;
}

/** Operator-side clients for the emulator (not the Lambdas' clients). */
export function localClients(endpoint: string): LocalClients {
  const common = { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  return {
    dynamodb: new DynamoDBClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    iam: new IAMClient(common),
    // After a rotation, the emulator's default answer would be the old key (rotation-state.ts).
    secretsManager: withCurrentVersionByDefault(new SecretsManagerClient(common)),
    eventBridge: new EventBridgeClient(common),
    sqs: new SQSClient(common),
  };
}

/** The local stage's configuration: what the Lambdas would read from `localEnvironment(endpoint, accountId)`. */
export function localConfig(endpoint: string, accountId: string, options: LocalStageOptions = {}): Config {
  return loadConfig(localEnvironment(endpoint, accountId, options));
}

/** The functions' clients in local mode: `keyRotation` is the local stand-in of Secrets Manager's rotation. */
export interface LocalFunctionClients extends FunctionClients {
  keyRotation: LocalSecretsRotation;
}

/**
 * The functions' own clients for the emulator (on AWS each function makes its own): apart from
 * the operator-side ones, so an SDK middleware on them (fault injection, call counting) sees
 * only what the functions send. Where the emulator falls short of AWS, they carry a stand-in:
 * Secrets Manager's answers carry the rotation configuration the emulator cannot hold and
 * `keyRotation` runs rotations (local/secrets-rotation.ts); clients signing as a tenant are
 * refused a deleted or inactive key, as AWS refuses it (local/tenant-key-check.ts).
 */
export function localFunctionClients(endpoint: string): LocalFunctionClients {
  const common = { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const iam = new IAMClient(common);
  const secretsManager = withLocalRotationState(new SecretsManagerClient(common), LOCAL_STAGE);
  const eventBridge = new EventBridgeClient(common);
  // AWS's own key check asks IAM with a client of its own, never a function's.
  const asTenant = localTenantClients(endpoint, LOCAL_REGION, iamAccessKeyStatus(new IAMClient(common)));
  return {
    s3For: s3ClientsByRegion({ endpoint, credentials: LOCAL_CREDENTIALS, forcePathStyle: true }),
    s3control: new S3ControlClient(common),
    iam,
    secretsManager,
    eventBridge,
    dynamodb: new DynamoDBClient(common),
    asTenant,
    keyRotation: new LocalSecretsRotation({
      secretsManager: new SecretsManagerClient(common),
      functionClients: { iam, secretsManager, eventBridge, asTenant },
      config: async () => localConfig(endpoint, await localAccountId(endpoint)),
      stage: LOCAL_STAGE,
    }),
  };
}

/** The tenant ledger's table, as serverless.yml declares it (idempotent). */
async function createLedgerTable(dynamodb: DynamoDBClient): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: LOCAL_LEDGER_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: LEDGER_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: LEDGER_KEY, KeyType: 'HASH' }],
        DeletionProtectionEnabled: true,
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: LOCAL_LEDGER_TABLE });
}

/** Creates a managed policy unless one of that name exists (idempotent). */
async function createPolicy(iam: IAMClient, name: string, document: object): Promise<void> {
  try {
    await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(document) }));
  } catch (err) {
    if (!(err instanceof EntityAlreadyExistsException)) throw err;
  }
}

/**
 * The shared bucket as serverless.yml creates it for a prefix stage: versioned, public access
 * blocked (but for public ACLs, when the stage enables object ACLs), ACLs disabled unless enabled.
 * It is the stage's, never a tenant's: tagged ManagedBy only.
 */
async function createSharedBucket(s3: S3Client, objectAcls: boolean): Promise<void> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: LOCAL_SHARED_BUCKET,
        ObjectOwnership: objectAcls ? 'BucketOwnerPreferred' : 'BucketOwnerEnforced',
      }),
    );
  } catch (err) {
    if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
  }
  await s3.send(new PutBucketTaggingCommand({ Bucket: LOCAL_SHARED_BUCKET, Tagging: { TagSet: [{ Key: TAG_MANAGED_BY, Value: MANAGED_BY }] } }));
  // As a stack update would: the setting follows the stage's objectAcls even for a bucket made before.
  await s3.send(
    new PutBucketOwnershipControlsCommand({
      Bucket: LOCAL_SHARED_BUCKET,
      OwnershipControls: { Rules: [{ ObjectOwnership: objectAcls ? 'BucketOwnerPreferred' : 'BucketOwnerEnforced' }] },
    }),
  );
  await s3.send(new PutBucketVersioningCommand({ Bucket: LOCAL_SHARED_BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: LOCAL_SHARED_BUCKET,
      PublicAccessBlockConfiguration: { BlockPublicAcls: !objectAcls, IgnorePublicAcls: !objectAcls, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }),
  );
}

/** Creates (idempotently) what the Lambdas need to exist; returns the events queue URL. */
export async function deployLocalStack(clients: LocalClients, options: Pick<LocalStageOptions, 'tenancy' | 'objectAcls'> = {}): Promise<{ eventsQueueUrl: string }> {
  await createLedgerTable(clients.dynamodb);
  // The local stage's shared bucket has a fixed name, so its boundary can always name it: a bucket
  // tenant's rights under it are exactly those of the boundary without one (policies.ts).
  await createPolicy(clients.iam, BOUNDARY_NAME, tenantBoundaryPolicy({ sharedBucket: LOCAL_SHARED_BUCKET }));
  if (options.tenancy === 'prefix') {
    await createPolicy(clients.iam, PREFIX_POLICY_NAME, prefixTenantPolicy({ sharedBucket: LOCAL_SHARED_BUCKET, objectAcls: options.objectAcls === true }));
    await createSharedBucket(clients.s3, options.objectAcls === true);
  }
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: EVENTS_NAME }));
  if (!QueueUrl) throw new Error('The emulator returned no queue URL');
  const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await clients.eventBridge.send(new PutRuleCommand({ Name: EVENTS_NAME, EventPattern: JSON.stringify({ source: [EVENT_SOURCE] }) }));
  await clients.eventBridge.send(new PutTargetsCommand({ Rule: EVENTS_NAME, Targets: [{ Id: 'events-queue', Arn: Attributes?.QueueArn }] }));
  return { eventsQueueUrl: QueueUrl };
}

export interface EmittedEvent {
  'detail-type': string;
  source: string;
  detail: Record<string, unknown>;
}

/** Takes every event that reached the events queue so far (and removes them from it). */
export async function drainEvents(clients: LocalClients, queueUrl: string): Promise<EmittedEvent[]> {
  const events: EmittedEvent[] = [];
  for (;;) {
    const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return events;
    for (const message of Messages) events.push(JSON.parse(message.Body ?? '{}') as EmittedEvent);
    await clients.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
    );
  }
}

export interface Residue {
  buckets: string[];
  users: string[];
  accessKeys: string[];
  secrets: string[];
}

/** Every bucket, tenant user, access key and secret that exists in the emulator now. */
export async function scanResidue(clients: LocalClients): Promise<Residue> {
  const buckets = ((await clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '').sort();
  const users: string[] = [];
  const accessKeys: string[] = [];
  for await (const page of paginateListUsers({ client: clients.iam }, { PathPrefix: '/tenants/' })) {
    for (const user of page.Users ?? []) {
      users.push(user.UserName ?? '');
      for await (const keys of paginateListAccessKeys({ client: clients.iam }, { UserName: user.UserName })) {
        for (const key of keys.AccessKeyMetadata ?? []) accessKeys.push(`${user.UserName}:${key.AccessKeyId}`);
      }
    }
  }
  const secrets: string[] = [];
  for await (const page of paginateListSecrets({ client: clients.secretsManager }, { IncludePlannedDeletion: false })) {
    for (const secret of page.SecretList ?? []) secrets.push(secret.Name ?? '');
  }
  return { buckets, users: users.sort(), accessKeys: accessKeys.sort(), secrets: secrets.sort() };
}

export function isEmpty(residue: Residue): boolean {
  return Object.values(residue).every((list) => list.length === 0);
}
