/**
 * A small stateful model of the AWS resources the workflows touch, installed behind
 * aws-sdk-client-mock so the real handlers run unchanged. Errors are the SDK's real
 * exception classes. It models only what these workflows need and throws loudly on any
 * command it does not model, so a new call can never pass silently.
 *
 * `inject(operation, error, times)` makes the next `times` calls of an operation fail
 * before they take effect; `afterEffect(operation, error, times)` performs the call and
 * then fails, as a Lambda that timed out after its call did.
 *
 * The tenant ledger table is modelled too (`ledger`, a {@link FakeLedgerTable}): GetItem,
 * PutItem, TransactWriteItems and Scan, honouring the condition expressions the DynamoDB store
 * sends.
 */
import * as DDB from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as IAM from '@aws-sdk/client-iam';
import * as S3 from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand, S3ControlClient, S3ControlServiceException } from '@aws-sdk/client-s3-control';
import * as SM from '@aws-sdk/client-secrets-manager';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { LIVE_COUNTER_KEY, type TenantLedgerItem } from '../../functions/lib/ledger/model';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStub = AwsStub<any, any, any>;

const meta = { $metadata: {} };
const ACCOUNT = '123456789012';

export interface FakeBucket { name: string; region: string; owner: string; tags?: S3.Tag[]; policy?: string; objects: Map<string, number>; publicAccessBlock?: S3.PublicAccessBlockConfiguration; encrypted?: boolean }
export interface FakeKey { id: string; secret: string; created: Date; status: 'Active' | 'Inactive' }
export interface FakeUser { name: string; path: string; id: string; arn: string; tags: IAM.Tag[]; boundary?: string; keys: FakeKey[] }
export interface FakeSecret {
  name: string;
  arn: string;
  value?: string;
  tags: SM.Tag[];
  deletedDate?: Date;
  /** Its rotation configuration (RotateSecret), while enabled. */
  rotation?: { lambdaArn: string; days: number };
}

/** `signer`: the access key id the request was signed with (what STS and S3 know the caller by). */
type Handler = (input: never, signer: () => Promise<string>) => unknown;

export class FakeAws {
  buckets = new Map<string, FakeBucket>();
  users = new Map<string, FakeUser>();
  secrets = new Map<string, FakeSecret>();
  events: { DetailType?: string; Detail?: Record<string, unknown>; Source?: string }[] = [];
  /** Every StopExecution a workflow step sent (a run stopping the run it superseded), in order. */
  stoppedExecutions: { executionArn: string; error?: string; cause?: string }[] = [];
  /** The tenant ledger table (test/setup-env.ts's TENANT_LEDGER_TABLE). */
  ledger = new FakeLedgerTable(process.env.TENANT_LEDGER_TABLE ?? 'tenant-provisioner-test-tenants');
  /** Every AWS call in order, as `Service.Operation` (e.g. `S3.CreateBucket`). */
  calls: string[] = [];
  accountBlockPublicPolicy = false;
  private faults = new Map<string, { error: () => Error; times: number; after: boolean }[]>();
  private counter = 0;
  private stubs: AnyStub[] = [];

  install(): this {
    const s3 = mockClient(S3.S3Client);
    const iam = mockClient(IAM.IAMClient);
    const sm = mockClient(SM.SecretsManagerClient);
    const events = mockClient(EventBridgeClient);
    const s3control = mockClient(S3ControlClient);
    const dynamodb = mockClient(DDB.DynamoDBClient);
    const sfn = mockClient(SFNClient);
    const sts = mockClient(STSClient);
    this.stubs = [s3, iam, sm, events, s3control, dynamodb, sfn, sts];
    for (const stub of this.stubs) {
      stub.onAnyCommand().callsFake((input: unknown) => {
        throw new Error(`FakeAws does not model this command (input ${JSON.stringify(input)})`);
      });
    }
    this.route(s3, 'S3', S3, this.s3Handlers());
    this.route(iam, 'IAM', IAM, this.iamHandlers());
    this.route(sm, 'SecretsManager', SM, this.secretsHandlers());
    this.route(events, 'EventBridge', { PutEventsCommand }, { PutEvents: (input: { Entries: { DetailType?: string; Detail?: string; Source?: string }[] }) => {
      for (const entry of input.Entries) this.events.push({ DetailType: entry.DetailType, Source: entry.Source, Detail: JSON.parse(entry.Detail ?? '{}') });
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: `event-${++this.counter}` })) };
    } });
    this.route(dynamodb, 'DynamoDB', DDB, this.ledger.handlers());
    this.route(sfn, 'StepFunctions', { StopExecutionCommand }, { StopExecution: (input: { executionArn: string; error?: string; cause?: string }) => {
      this.stoppedExecutions.push({ executionArn: input.executionArn, error: input.error, cause: input.cause });
      return { stopDate: new Date() };
    } });
    this.route(sts, 'STS', { GetCallerIdentityCommand }, { GetCallerIdentity: async (_input: unknown, signer: () => Promise<string>) => {
      const user = this.userOfKey(await signer());
      if (!user) throw new STSServiceException({ name: 'InvalidClientTokenId', $fault: 'client', ...meta, message: 'The security token included in the request is invalid.' });
      return { Arn: user.arn, Account: ACCOUNT, UserId: user.id };
    } });
    this.route(s3control, 'S3Control', { GetPublicAccessBlockCommand }, { GetPublicAccessBlock: () => {
      if (!this.accountBlockPublicPolicy) {
        throw new S3ControlServiceException({ name: 'NoSuchPublicAccessBlockConfiguration', $fault: 'client', ...meta, message: 'none' });
      }
      return { PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } };
    } });
    return this;
  }

  restore(): void {
    for (const stub of this.stubs) stub.restore();
  }

  /** The next `times` calls of `operation` (e.g. `IAM.CreateUser`) fail before taking effect. */
  inject(operation: string, error: () => Error, times = 1): this {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), { error, times, after: false }]);
    return this;
  }

  /** The next `times` calls of `operation` take effect, then fail (a Lambda that timed out after the call). */
  afterEffect(operation: string, error: () => Error, times = 1): this {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), { error, times, after: true }]);
    return this;
  }

  /** Clears the faults armed for `operation` (every operation when none is named): the outage is over. */
  heal(operation?: string): this {
    if (operation === undefined) this.faults.clear();
    else this.faults.delete(operation);
    return this;
  }

  count(operation: string): number {
    return this.calls.filter((c) => c === operation).length;
  }

  /** What exists now, for end-state assertions. */
  snapshot() {
    return {
      buckets: [...this.buckets.keys()].sort(),
      users: [...this.users.keys()].sort(),
      keys: [...this.users.values()].flatMap((u) => u.keys.map((k) => `${u.name}:${k.id}`)).sort(),
      secrets: [...this.secrets.values()].filter((s) => !s.deletedDate).map((s) => s.name).sort(),
    };
  }

  private route(stub: AnyStub, service: string, module: Record<string, unknown>, handlers: Record<string, Handler>) {
    for (const [operation, handler] of Object.entries(handlers)) {
      const Command = module[`${operation}Command`];
      if (typeof Command !== 'function') throw new Error(`No ${operation}Command in ${service}`);
      stub.on(Command as never).callsFake(async (input: unknown, getClient: () => { config: { credentials: () => Promise<{ accessKeyId: string }> } }) => {
        const name = `${service}.${operation}`;
        this.calls.push(name);
        const fault = this.takeFault(name);
        if (fault && !fault.after) throw fault.error();
        const signer = async () => (await getClient().config.credentials()).accessKeyId;
        const result = await handler(input as never, signer);
        if (fault?.after) throw fault.error();
        return { ...meta, ...(result as object) };
      });
    }
  }

  private takeFault(name: string) {
    const queue = this.faults.get(name);
    const fault = queue?.[0];
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) queue.shift();
    return fault;
  }

  // ---- S3 ---------------------------------------------------------------------------

  /** A bucket that exists worldwide but belongs to another account. */
  addForeignBucket(name: string): void {
    this.buckets.set(name, { name, region: 'us-east-1', owner: '999999999999', objects: new Map() });
  }

  addOwnBucket(name: string, tags?: S3.Tag[], region = 'us-east-1'): FakeBucket {
    const bucket: FakeBucket = { name, region, owner: ACCOUNT, tags, objects: new Map() };
    this.buckets.set(name, bucket);
    return bucket;
  }

  private ownBucket(name: string): FakeBucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new S3.NoSuchBucket({ ...meta, message: 'The specified bucket does not exist' });
    if (bucket.owner !== ACCOUNT) throw new S3.AccessDenied({ ...meta, message: 'Access Denied' });
    return bucket;
  }

  /** The user whose active key `accessKeyId` is, if any: who a request signed with it is. */
  private userOfKey(accessKeyId: string): FakeUser | undefined {
    return [...this.users.values()].find((user) => user.keys.some((key) => key.id === accessKeyId && key.status === 'Active'));
  }

  private s3Handlers(): Record<string, Handler> {
    return {
      // A key id IAM issued (AKIA…, a tenant's, as ProveTenantCredentials signs) must be one IAM
      // knows and has active, as on AWS; the functions' own credentials (test/setup-env.ts) are not IAM keys here.
      ListObjectsV2: async ({ Bucket, Prefix = '', MaxKeys = 1000 }: { Bucket: string; Prefix?: string; MaxKeys?: number }, signer: () => Promise<string>) => {
        const keyId = await signer();
        if (keyId.startsWith('AKIA') && !this.userOfKey(keyId)) {
          throw new S3.S3ServiceException({ name: 'InvalidAccessKeyId', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'The AWS Access Key Id you provided does not exist in our records.' });
        }
        const keys = [...this.ownBucket(Bucket).objects.keys()].filter((key) => key.startsWith(Prefix)).sort().slice(0, MaxKeys);
        return { KeyCount: keys.length, Contents: keys.map((Key) => ({ Key })), IsTruncated: false };
      },
      HeadBucket: ({ Bucket }: { Bucket: string }) => {
        const bucket = this.buckets.get(Bucket);
        if (!bucket) throw new S3.NotFound({ ...meta, message: 'Not Found' });
        if (bucket.owner !== ACCOUNT) throw new S3.S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Forbidden' });
        return { BucketRegion: bucket.region };
      },
      CreateBucket: (input: S3.CreateBucketCommandInput) => {
        const existing = this.buckets.get(input.Bucket as string);
        const region = input.CreateBucketConfiguration?.LocationConstraint ?? 'us-east-1';
        if (existing) {
          if (existing.owner !== ACCOUNT) throw new S3.BucketAlreadyExists({ ...meta, message: 'taken' });
          // us-east-1 answers 200 for a bucket you already own there.
          if (existing.region === 'us-east-1' && region === 'us-east-1') return { Location: `/${existing.name}` };
          throw new S3.BucketAlreadyOwnedByYou({ ...meta, message: 'yours' });
        }
        // As AWS does (moto does not), CreateBucketConfiguration.Tags tag the new bucket.
        this.buckets.set(input.Bucket as string, { name: input.Bucket as string, region, owner: ACCOUNT, tags: input.CreateBucketConfiguration?.Tags, objects: new Map() });
        return { Location: `/${input.Bucket}` };
      },
      PutBucketTagging: (input: S3.PutBucketTaggingCommandInput) => {
        this.ownBucket(input.Bucket as string).tags = input.Tagging?.TagSet;
        return {};
      },
      GetBucketTagging: ({ Bucket }: { Bucket: string }) => {
        const bucket = this.ownBucket(Bucket);
        if (!bucket.tags?.length) throw new S3.S3ServiceException({ name: 'NoSuchTagSet', $fault: 'client', ...meta, message: 'The TagSet does not exist' });
        return { TagSet: bucket.tags };
      },
      PutBucketEncryption: ({ Bucket }: { Bucket: string }) => {
        this.ownBucket(Bucket).encrypted = true;
        return {};
      },
      PutPublicAccessBlock: (input: S3.PutPublicAccessBlockCommandInput) => {
        this.ownBucket(input.Bucket as string).publicAccessBlock = input.PublicAccessBlockConfiguration;
        return {};
      },
      PutBucketOwnershipControls: ({ Bucket }: { Bucket: string }) => (this.ownBucket(Bucket), {}),
      PutObject: ({ Bucket, Key }: { Bucket: string; Key: string }) => {
        this.ownBucket(Bucket).objects.set(Key, (this.ownBucket(Bucket).objects.get(Key) ?? 0) + 1);
        return { ETag: '"d41d8cd98f00b204e9800998ecf8427e"' };
      },
      PutBucketPolicy: ({ Bucket, Policy }: { Bucket: string; Policy: string }) => {
        const bucket = this.ownBucket(Bucket);
        if (this.accountBlockPublicPolicy) throw new S3.AccessDenied({ ...meta, message: 'public policies are blocked by the BlockPublicPolicy block public access setting' });
        bucket.policy = Policy;
        return {};
      },
      DeleteBucketPolicy: ({ Bucket }: { Bucket: string }) => {
        delete this.ownBucket(Bucket).policy;
        return {};
      },
      ListObjectVersions: ({ Bucket }: { Bucket: string }) => {
        const bucket = this.ownBucket(Bucket);
        const Versions = [...bucket.objects.entries()].flatMap(([Key, n]) => Array.from({ length: n }, (_, i) => ({ Key, VersionId: `v${i}` })));
        return { Versions: Versions.slice(0, 1000), DeleteMarkers: [], IsTruncated: Versions.length > 1000 };
      },
      DeleteObjects: (input: S3.DeleteObjectsCommandInput) => {
        const bucket = this.ownBucket(input.Bucket as string);
        for (const object of input.Delete?.Objects ?? []) {
          const left = (bucket.objects.get(object.Key as string) ?? 0) - 1;
          if (left > 0) bucket.objects.set(object.Key as string, left);
          else bucket.objects.delete(object.Key as string);
        }
        return { Deleted: input.Delete?.Objects, Errors: [] };
      },
      DeleteBucket: ({ Bucket }: { Bucket: string }) => {
        const bucket = this.ownBucket(Bucket);
        if (bucket.objects.size > 0) throw new S3.S3ServiceException({ name: 'BucketNotEmpty', $fault: 'client', ...meta, message: 'not empty' });
        this.buckets.delete(Bucket);
        return {};
      },
    };
  }

  // ---- IAM --------------------------------------------------------------------------

  addUser(name: string, tags: IAM.Tag[], options: { boundary?: string; keys?: FakeKey[] } = {}): FakeUser {
    const user: FakeUser = { name, path: '/tenants/test/', id: `AIDA${++this.counter}`, arn: `arn:aws:iam::${ACCOUNT}:user/tenants/test/${name}`, tags, boundary: options.boundary, keys: options.keys ?? [] };
    this.users.set(name, user);
    return user;
  }

  private user(name: string): FakeUser {
    const user = this.users.get(name);
    if (!user) throw new IAM.NoSuchEntityException({ ...meta, message: `The user with name ${name} cannot be found.` });
    return user;
  }

  private describeUser(user: FakeUser): IAM.User {
    return {
      UserName: user.name, Path: user.path, UserId: user.id, Arn: user.arn, CreateDate: new Date('2026-11-01T00:00:00Z'), Tags: user.tags,
      ...(user.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const, PermissionsBoundaryArn: user.boundary } } : {}),
    };
  }

  private iamHandlers(): Record<string, Handler> {
    const empty = (key: string) => (input: { UserName: string }) => (this.user(input.UserName), { [key]: [], IsTruncated: false });
    return {
      CreateUser: (input: IAM.CreateUserCommandInput) => {
        if (this.users.has(input.UserName as string)) throw new IAM.EntityAlreadyExistsException({ ...meta, message: 'exists' });
        const user = this.addUser(input.UserName as string, input.Tags ?? [], { boundary: input.PermissionsBoundary });
        user.path = input.Path ?? '/';
        return { User: this.describeUser(user) };
      },
      GetUser: ({ UserName }: { UserName: string }) => ({ User: this.describeUser(this.user(UserName)) }),
      ListUserTags: ({ UserName }: { UserName: string }) => ({ Tags: this.user(UserName).tags, IsTruncated: false }),
      ListAccessKeys: ({ UserName }: { UserName: string }) => ({
        AccessKeyMetadata: this.user(UserName).keys.map((k) => ({ UserName, AccessKeyId: k.id, Status: k.status, CreateDate: k.created })),
        IsTruncated: false,
      }),
      CreateAccessKey: ({ UserName }: { UserName: string }) => {
        const user = this.user(UserName);
        if (user.keys.length >= 2) throw new IAM.LimitExceededException({ ...meta, message: 'Cannot exceed quota for AccessKeysPerUser: 2' });
        const key: FakeKey = { id: `AKIA${String(++this.counter).padStart(16, '0')}`, secret: `secret/${this.counter}/wJalrXUtnFEMIK7MDENGbPxRfiCY`, created: new Date(), status: 'Active' };
        user.keys.push(key);
        return { AccessKey: { UserName, AccessKeyId: key.id, SecretAccessKey: key.secret, Status: 'Active', CreateDate: key.created } };
      },
      DeleteAccessKey: ({ UserName, AccessKeyId }: { UserName: string; AccessKeyId: string }) => {
        const user = this.user(UserName);
        if (!user.keys.some((k) => k.id === AccessKeyId)) throw new IAM.NoSuchEntityException({ ...meta, message: 'no key' });
        user.keys = user.keys.filter((k) => k.id !== AccessKeyId);
        return {};
      },
      UpdateAccessKey: ({ UserName, AccessKeyId, Status }: { UserName: string; AccessKeyId: string; Status: 'Active' | 'Inactive' }) => {
        const key = this.user(UserName).keys.find((k) => k.id === AccessKeyId);
        if (!key) throw new IAM.NoSuchEntityException({ ...meta, message: 'no key' });
        key.status = Status;
        return {};
      },
      DeleteUser: ({ UserName }: { UserName: string }) => {
        const user = this.user(UserName);
        if (user.keys.length > 0) throw new IAM.DeleteConflictException({ ...meta, message: 'Cannot delete entity, must delete access keys first.' });
        this.users.delete(UserName);
        return {};
      },
      DeleteLoginProfile: ({ UserName }: { UserName: string }) => {
        this.user(UserName);
        throw new IAM.NoSuchEntityException({ ...meta, message: 'Login Profile for User cannot be found.' });
      },
      ListAttachedUserPolicies: empty('AttachedPolicies'),
      ListUserPolicies: empty('PolicyNames'),
      ListGroupsForUser: empty('Groups'),
      ListSigningCertificates: empty('Certificates'),
      ListSSHPublicKeys: empty('SSHPublicKeys'),
      ListServiceSpecificCredentials: empty('ServiceSpecificCredentials'),
      ListMFADevices: empty('MFADevices'),
    };
  }

  // ---- Secrets Manager --------------------------------------------------------------

  addSecret(name: string, value: Record<string, unknown> | undefined, tags: SM.Tag[], deletedDate?: Date): FakeSecret {
    const secret: FakeSecret = { name, arn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf`, value: value && JSON.stringify(value), tags, deletedDate };
    this.secrets.set(name, secret);
    return secret;
  }

  private secret(id: string): FakeSecret {
    const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
    if (!secret) throw new SM.ResourceNotFoundException({ ...meta, message: "Secrets Manager can't find the specified secret." });
    return secret;
  }

  private secretsHandlers(): Record<string, Handler> {
    const deleted = () => new SM.InvalidRequestException({ ...meta, message: 'You tried to perform the operation on a secret that is currently marked deleted.' });
    return {
      CreateSecret: (input: SM.CreateSecretCommandInput) => {
        if (this.secrets.has(input.Name as string)) throw new SM.ResourceExistsException({ ...meta, message: 'The operation failed because the secret already exists.' });
        const secret = this.addSecret(input.Name as string, undefined, input.Tags ?? []);
        secret.value = input.SecretString;
        return { ARN: secret.arn, Name: secret.name, VersionId: 'v1' };
      },
      DescribeSecret: ({ SecretId }: { SecretId: string }) => {
        const secret = this.secret(SecretId);
        const rotation = secret.rotation ? { RotationLambdaARN: secret.rotation.lambdaArn, RotationRules: { AutomaticallyAfterDays: secret.rotation.days } } : {};
        return { ARN: secret.arn, Name: secret.name, Tags: secret.tags, RotationEnabled: Boolean(secret.rotation), ...rotation, ...(secret.deletedDate ? { DeletedDate: secret.deletedDate } : {}) };
      },
      // Only the configuration: a rotation's own steps are the rotation function's (its unit tests).
      RotateSecret: (input: SM.RotateSecretCommandInput) => {
        const secret = this.secret(input.SecretId as string);
        if (secret.deletedDate) throw deleted();
        if (input.RotateImmediately !== false || !input.RotationLambdaARN || !input.RotationRules?.AutomaticallyAfterDays) throw new Error('FakeAws: only RotateSecret with a configuration and RotateImmediately false is modelled');
        secret.rotation = { lambdaArn: input.RotationLambdaARN, days: input.RotationRules.AutomaticallyAfterDays };
        return { ARN: secret.arn, Name: secret.name };
      },
      CancelRotateSecret: ({ SecretId }: { SecretId: string }) => {
        const secret = this.secret(SecretId);
        if (secret.deletedDate) throw deleted();
        delete secret.rotation;
        return { ARN: secret.arn, Name: secret.name };
      },
      GetSecretValue: ({ SecretId }: { SecretId: string }) => {
        const secret = this.secret(SecretId);
        if (secret.deletedDate) throw deleted();
        return { ARN: secret.arn, Name: secret.name, SecretString: secret.value };
      },
      PutSecretValue: (input: SM.PutSecretValueCommandInput) => {
        const secret = this.secret(input.SecretId as string);
        if (secret.deletedDate) throw deleted();
        secret.value = input.SecretString;
        return { ARN: secret.arn, Name: secret.name, VersionId: 'v2' };
      },
      RestoreSecret: ({ SecretId }: { SecretId: string }) => {
        const secret = this.secret(SecretId);
        delete secret.deletedDate;
        return { ARN: secret.arn, Name: secret.name };
      },
      DeleteSecret: (input: SM.DeleteSecretCommandInput) => {
        const secret = this.secret(input.SecretId as string);
        if (input.ForceDeleteWithoutRecovery) this.secrets.delete(secret.name);
        else secret.deletedDate = new Date();
        return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date() };
      },
    };
  }
}

// ---- DynamoDB: the tenant ledger table ------------------------------------------------

type Item = Record<string, DDB.AttributeValue>;
interface Expression { ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item }

/**
 * The tenant ledger table (key `slug`) in memory, as DynamoDB answers the store
 * (functions/lib/ledger/dynamo-store.ts): a condition that does not hold fails the PutItem with
 * ConditionalCheckFailedException, and cancels a TransactWriteItems with
 * TransactionCanceledException and one CancellationReason per item. It understands only the
 * expressions the store sends (`attribute_not_exists(x)`, `attribute_exists(x)`, `x = :v`,
 * `x < :v`, joined by one kind of AND/OR; `ADD x :d`) and throws on anything else.
 */
export class FakeLedgerTable {
  readonly items = new Map<string, Item>();

  constructor(readonly tableName: string) {}

  /** The tenant's item as the store would read it. */
  get(slug: string): TenantLedgerItem | undefined {
    const item = this.items.get(slug);
    return item && (unmarshall(item) as TenantLedgerItem);
  }

  /** Stores an item as it is (no condition), e.g. one a test wrote by hand. */
  put(item: TenantLedgerItem): void {
    this.items.set(item.slug, marshall(item, { removeUndefinedValues: true }));
  }

  /** Changes a tenant's item as another writer would: the change, and version + 1. */
  update(slug: string, change: (item: TenantLedgerItem) => Partial<TenantLedgerItem>): TenantLedgerItem {
    const item = this.get(slug);
    if (!item) throw new Error(`FakeLedgerTable: no item ${slug}`);
    const next = { ...item, ...change(item), version: item.version + 1 };
    this.put(next);
    return next;
  }

  /** The live-tenant counter (absent: 0). */
  liveTenants(): number {
    return Number(this.items.get(LIVE_COUNTER_KEY)?.liveTenants?.N ?? 0);
  }

  /** Answers the ledger's DynamoDB commands sent through `stub` (a `mockClient(DynamoDBClient)` a test keeps for its assertions). */
  serve(stub: AnyStub): this {
    for (const [operation, handler] of Object.entries(this.handlers())) {
      const Command = (DDB as unknown as Record<string, Parameters<AnyStub['on']>[0]>)[`${operation}Command`];
      if (!Command) throw new Error(`No ${operation}Command in DynamoDB`);
      // The ledger's items do not depend on who signs.
      stub.on(Command).callsFake(async (input: unknown) => ({ $metadata: {}, ...(handler(input as never, async () => '') as object) }));
    }
    return this;
  }

  handlers(): Record<string, Handler> {
    return {
      GetItem: (input: DDB.GetItemCommandInput) => {
        const item = this.items.get(this.keyOf(input.TableName, input.Key));
        return item ? { Item: structuredClone(item) } : {};
      },
      PutItem: (input: DDB.PutItemCommandInput) => {
        const key = this.keyOf(input.TableName, input.Item);
        if (!this.holds(this.items.get(key), input)) {
          throw new DDB.ConditionalCheckFailedException({ $metadata: { httpStatusCode: 400 }, message: 'The conditional request failed' });
        }
        this.items.set(key, structuredClone(input.Item as Item));
        return {};
      },
      TransactWriteItems: (input: DDB.TransactWriteItemsCommandInput) => {
        const writes = (input.TransactItems ?? []).map((entry) => {
          if (entry.Put) return { key: this.keyOf(entry.Put.TableName, entry.Put.Item), expression: entry.Put, apply: (_: Item | undefined) => structuredClone(entry.Put?.Item as Item) };
          if (entry.Update) return { key: this.keyOf(entry.Update.TableName, entry.Update.Key), expression: entry.Update, apply: (item: Item | undefined) => this.applyUpdate(item, entry.Update as DDB.Update) };
          throw new Error(`FakeLedgerTable does not model this transaction item: ${JSON.stringify(entry)}`);
        });
        const reasons = writes.map(({ key, expression }) => ({ Code: this.holds(this.items.get(key), expression) ? 'None' : 'ConditionalCheckFailed' }));
        if (reasons.some((reason) => reason.Code !== 'None')) {
          throw new DDB.TransactionCanceledException({
            $metadata: { httpStatusCode: 400 },
            message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
            CancellationReasons: reasons,
          });
        }
        for (const { key, apply } of writes) this.items.set(key, apply(this.items.get(key)));
        return {};
      },
      Scan: (input: DDB.ScanCommandInput) => {
        this.keyOf(input.TableName, { slug: { S: '' } });
        return { Items: [...this.items.values()].map((item) => structuredClone(item)), Count: this.items.size };
      },
    };
  }

  private keyOf(tableName: string | undefined, key: Item | undefined): string {
    if (tableName !== this.tableName) throw new DDB.ResourceNotFoundException({ $metadata: { httpStatusCode: 400 }, message: `Requested resource not found: Table: ${tableName} not found` });
    const slug = key?.slug?.S;
    if (slug === undefined) throw new Error(`FakeLedgerTable: no slug in ${JSON.stringify(key)}`);
    return slug;
  }

  /** Whether `expression`'s condition holds for `item` (no condition: it does). */
  private holds(item: Item | undefined, expression: Expression): boolean {
    const condition = expression.ConditionExpression;
    if (condition === undefined) return true;
    const name = (token: string) => (token.startsWith('#') ? (expression.ExpressionAttributeNames?.[token] ?? fail(`unknown name ${token}`)) : token);
    const value = (token: string) => expression.ExpressionAttributeValues?.[token] ?? fail(`unknown value ${token}`);
    const number = (attribute: DDB.AttributeValue | undefined) => (attribute?.N === undefined ? undefined : Number(attribute.N));
    const clause = (text: string): boolean => {
      let match = /^attribute_(not_exists|exists)\((#?\w+)\)$/.exec(text);
      if (match) return (item?.[name(match[2] as string)] === undefined) === (match[1] === 'not_exists');
      match = /^(#?\w+) (=|<) (:\w+)$/.exec(text);
      if (match) {
        const stored = item?.[name(match[1] as string)];
        const given = value(match[3] as string);
        if (match[2] === '=') return stored !== undefined && JSON.stringify(stored) === JSON.stringify(given);
        const [a, b] = [number(stored), number(given)];
        return a !== undefined && b !== undefined && a < b;
      }
      return fail(`condition ${JSON.stringify(text)}`);
    };
    const ors = condition.split(' OR ');
    const ands = condition.split(' AND ');
    if (ors.length > 1 && ands.length > 1) return fail(`condition ${JSON.stringify(condition)}`);
    return ors.length > 1 ? ors.some(clause) : ands.every(clause);
  }

  private applyUpdate(item: Item | undefined, update: DDB.Update): Item {
    const match = /^ADD (#?\w+) (:\w+)$/.exec(update.UpdateExpression ?? '');
    if (!match) return fail(`update ${JSON.stringify(update.UpdateExpression)}`);
    const attribute = match[1]?.startsWith('#') ? (update.ExpressionAttributeNames?.[match[1]] ?? fail(`unknown name ${match[1]}`)) : (match[1] as string);
    const delta = Number(update.ExpressionAttributeValues?.[match[2] as string]?.N ?? fail(`unknown value ${match[2]}`));
    const next: Item = { ...structuredClone(item ?? {}), ...(update.Key as Item) };
    next[attribute] = { N: String(Number(next[attribute]?.N ?? 0) + delta) };
    return next;
  }
}

function fail(what: string): never {
  throw new Error(`FakeLedgerTable does not model this ${what}`);
}
