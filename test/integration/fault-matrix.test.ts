/**
 * The fault matrix: for every AWS operation the provisioning workflow makes on its
 * happy path, each fault kind is injected into the functions' real SDK clients, through the
 * real router, the real ASL and the real handlers against the emulator, and each case must end
 * as docs/architecture.md, The workflows says: retried to success; parked (failed uncaught, nothing deleted) and then
 * completed by a redrive with no duplicates; or compensated to zero residue. The residue
 * scanner lists every bucket, user, access key and secret after each case.
 *
 * Emulator fidelity (docs/architecture.md, Emulator gaps): moto ignores CreateBucket's `Tags`, which AWS applies as
 * the bucket is created; the fault layer applies them (`emulateCreateBucketTags`), otherwise a
 * fault between CreateBucket and PutBucketTagging would leave an untagged bucket locally that
 * cannot happen on AWS. The local S3Control client cannot reach the emulator (its account-id
 * host prefix on an IP endpoint is an invalid URL), so every case that reaches
 * GetPublicAccessBlock has the fault layer answer it.
 */
import {
  BucketAlreadyExists,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  NoSuchBucket,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { EntityAlreadyExistsException, LimitExceededException as IamLimitExceededException } from '@aws-sdk/client-iam';
import { GetSecretValueCommand, LimitExceededException as SecretsLimitExceededException, ResourceExistsException } from '@aws-sdk/client-secrets-manager';
import { NoSuchPublicAccessBlockConfiguration } from '@aws-sdk/client-s3-control';
import { tenantNames, type TenantNames } from '../../functions/lib/naming';
import type { ExecutionRecord } from '../../functions/lib/executions';
import type { LocalPipeline } from '../../local/pipeline';
import { LOCAL_REGION } from '../../local/stack';
import { accessDeniedError, installFaults, operationsByState, serviceError, type FaultInjector, type FaultKind, type FaultRule } from '../support/fault-injection';
import { integrationPipeline, tenantResidue as residueOf, type TenantResidue } from './integration-pipeline';

jest.setTimeout(120_000);

// ---------------------------------------------------------------------------------------
// The matrix: what each fault on each operation must end in
// ---------------------------------------------------------------------------------------

/** How a case must end (docs/architecture.md, The workflows). */
type Expected =
  /** SUCCEEDED after the state retried; the tenant complete, exactly one of each. */
  | { outcome: 'retried' }
  /** SUCCEEDED without a retry: the step absorbs this fault by design (`why`); the tenant complete. */
  | { outcome: 'absorbed'; why: string }
  /** FAILED uncaught at the operation's state with `error`, nothing compensated or deleted; a redrive after disarming completes it. */
  | { outcome: 'parked'; error: string; companions?: FaultRule[] }
  /** FAILED with the domain error `error`, compensated to zero residue, OrgProvisioningFailed emitted. */
  | { outcome: 'compensated'; error: string; fault: () => Error; times?: number; companions?: FaultRule[]; variant: string }
  /** Not run: `why`. */
  | { outcome: 'skipped'; why: string };

interface MatrixRow {
  operation: string;
  /** The provisioning state that makes the call (checked against the recording run). */
  state: string;
  throttle: Expected;
  accessDenied: Expected;
  afterEffect: Expected;
  /** Every permanent condition the step translates into a domain error (or why there is none). */
  permanent: Expected[];
}

const meta = { $metadata: { httpStatusCode: 400, requestId: 'fault-injection' } };
const retried: Expected = { outcome: 'retried' };
const parkedWith = (operation: string): Expected => ({ outcome: 'parked', error: accessDeniedError(operation).name });

/** S3 answers a call on a bucket that is gone with NoSuchBucket; the step says TenantBucketMissingError. */
const bucketMissing: Expected = {
  outcome: 'compensated',
  variant: 'NoSuchBucket',
  error: 'TenantBucketMissingError',
  fault: () => new NoSuchBucket({ ...meta, message: 'The specified bucket does not exist (injected)' }),
};

/** What the account-level Block Public Access answers when it is off (no configuration) or on. */
const accountBpaOff: FaultRule = {
  operation: 'S3Control.GetPublicAccessBlock',
  kind: 'answer',
  times: Infinity,
  error: () => new NoSuchPublicAccessBlockConfiguration({ ...meta, message: 'The public access block configuration was not found (injected)' }),
};
const accountBpaOn: FaultRule = {
  operation: 'S3Control.GetPublicAccessBlock',
  kind: 'answer',
  times: Infinity,
  output: () => ({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }),
};

const HEAD_BUCKET_ABSORBS =
  'HeadBucket only asks "is this name ours already?": a 403 (another owner) falls through to CreateBucket, whose answer decides';

const MATRIX: MatrixRow[] = [
  {
    operation: 'S3.HeadBucket',
    state: 'CreateTenantBucket',
    // A throttled or timed-out HeadBucket is retried, never taken as "free": in us-east-1
    // CreateBucket's 200 cannot tell a new bucket from one this account already owns.
    throttle: retried,
    accessDenied: { outcome: 'absorbed', why: HEAD_BUCKET_ABSORBS },
    afterEffect: retried,
    permanent: [{ outcome: 'skipped', why: 'no HeadBucket answer is a permanent condition (see the throttle/access-denied rows)' }],
  },
  {
    operation: 'S3.CreateBucket',
    state: 'CreateTenantBucket',
    throttle: retried,
    accessDenied: parkedWith('S3.CreateBucket'),
    afterEffect: retried,
    permanent: [
      {
        outcome: 'compensated',
        variant: 'TooManyBuckets',
        error: 'TenantQuotaExceededError',
        fault: () => serviceError('S3.CreateBucket', 'TooManyBuckets', { message: 'You have attempted to create more buckets than allowed (injected)' }),
      },
      {
        outcome: 'compensated',
        variant: 'BucketAlreadyExists for every candidate',
        error: 'BucketNameUnavailableError',
        times: Infinity,
        fault: () => new BucketAlreadyExists({ ...meta, message: 'The requested bucket name is not available (injected)' }),
      },
    ],
  },
  {
    // Local mode only (VERIFY_CREATE_BUCKET_TAGS): did the emulator keep CreateBucket's Tags? On AWS it is never sent.
    operation: 'S3.GetBucketTagging',
    state: 'CreateTenantBucket',
    throttle: retried,
    // A retry finds the bucket it created and reads its tags to adopt it: denied until disarmed.
    accessDenied: parkedWith('S3.GetBucketTagging'),
    afterEffect: retried,
    permanent: [{ outcome: 'skipped', why: 'no GetBucketTagging answer is permanent here (NoSuchTagSet reads as tags dropped, which PutBucketTagging then puts)' }],
  },
  {
    operation: 'S3.PutPublicAccessBlock',
    state: 'ConfigureTenantBucket',
    throttle: retried,
    accessDenied: parkedWith('S3.PutPublicAccessBlock'),
    afterEffect: retried,
    permanent: [bucketMissing],
  },
  {
    operation: 'IAM.CreateUser',
    state: 'CreateTenantUser',
    throttle: retried,
    accessDenied: parkedWith('IAM.CreateUser'),
    afterEffect: retried,
    permanent: [
      {
        outcome: 'compensated',
        variant: 'LimitExceeded',
        error: 'TenantQuotaExceededError',
        fault: () => new IamLimitExceededException({ ...meta, message: 'Cannot exceed quota for UsersPerAccount (injected)' }),
      },
      {
        outcome: 'compensated',
        variant: "EntityAlreadyExists (another org's user)",
        error: 'TenantUserConflictError',
        fault: () => new EntityAlreadyExistsException({ ...meta, message: 'User with name already exists (injected)' }),
        companions: [
          {
            operation: 'IAM.GetUser',
            kind: 'answer',
            output: () => ({
              User: {
                UserName: 'someone-else',
                Path: '/tenants/',
                UserId: 'AIDAFAULTINJECTION01',
                Arn: `arn:aws:iam::${pipeline.config.accountId}:user/tenants/someone-else`,
                CreateDate: new Date(),
                Tags: [
                  { Key: 'OrgId', Value: 'another-org' },
                  { Key: 'ManagedBy', Value: 'tenant-provisioner' },
                ],
              },
            }),
          },
        ],
      },
    ],
  },
  {
    operation: 'IAM.CreateAccessKey',
    state: 'IssueTenantCredentials',
    throttle: retried,
    accessDenied: parkedWith('IAM.CreateAccessKey'),
    afterEffect: retried,
    permanent: [
      {
        outcome: 'skipped',
        why:
          'LimitExceeded is permanent only when the user really holds two keys, which cannot happen here (the step deletes every stray first); while it holds fewer, IAM is still counting deleted keys and the step retries (AccessKeyQuotaSettlingError: test/workflow/provision-tenant.test.ts, test/unit/functions/issue-tenant-credentials.test.ts)',
      },
    ],
  },
  {
    operation: 'SecretsManager.CreateSecret',
    state: 'IssueTenantCredentials',
    throttle: retried,
    accessDenied: parkedWith('SecretsManager.CreateSecret'),
    afterEffect: retried,
    permanent: [
      {
        outcome: 'compensated',
        variant: 'LimitExceeded',
        error: 'TenantQuotaExceededError',
        fault: () => new SecretsLimitExceededException({ ...meta, message: 'You have exceeded the maximum number of secrets (injected)' }),
      },
      {
        outcome: 'compensated',
        variant: "ResourceExists (another org's secret)",
        error: 'TenantSecretConflictError',
        fault: () => new ResourceExistsException({ ...meta, message: 'The operation failed because the secret already exists (injected)' }),
        companions: [
          {
            operation: 'SecretsManager.DescribeSecret',
            kind: 'answer',
            output: () => ({
              ARN: `arn:aws:secretsmanager:${LOCAL_REGION}:${pipeline.config.accountId}:secret:someone-else-AbCdEf`,
              Name: 'someone-else',
              Tags: [{ Key: 'ManagedBy', Value: 'someone-else' }],
            }),
          },
        ],
      },
    ],
  },
  {
    operation: 'S3.PutBucketPolicy',
    state: 'ApplyTenantBucketPolicy',
    throttle: retried,
    // AccessDenied while the account's BlockPublicPolicy is off is taken for propagation of the
    // bucket's own BPA change: TenantPolicyNotReadyError, retried, then parked.
    accessDenied: { outcome: 'parked', error: 'TenantPolicyNotReadyError', companions: [accountBpaOff] },
    afterEffect: retried,
    permanent: [
      {
        outcome: 'compensated',
        variant: "AccessDenied with the account's BlockPublicPolicy on",
        error: 'PublicAccessBlockedError',
        fault: () => accessDeniedError('S3.PutBucketPolicy'),
        times: Infinity,
        companions: [accountBpaOn],
      },
      { ...bucketMissing },
    ],
  },
  {
    // The key proof reads the key the secret holds; what it then sends as the tenant goes through the tenant's own clients.
    operation: 'SecretsManager.GetSecretValue',
    state: 'ProveTenantCredentials',
    throttle: retried,
    accessDenied: parkedWith('SecretsManager.GetSecretValue'),
    afterEffect: retried,
    permanent: [{ outcome: 'skipped', why: 'ProveTenantCredentials translates no GetSecretValue error (IssueTenantCredentials has just written the secret)' }],
  },
  {
    // The tenant ledger: the run confirms it is current before it changes anything.
    operation: 'DynamoDB.GetItem',
    state: 'ConfirmTenantRun',
    throttle: retried,
    accessDenied: parkedWith('DynamoDB.GetItem'),
    afterEffect: retried,
    permanent: [{ outcome: 'skipped', why: 'a read of the ledger has no permanent answer: the item is there or not, and "not" is a refusal the ASL ends the run with (workflow tests)' }],
  },
  {
    // The ledger records the tenant active, conditioned on the version it read; a retry after the
    // write took effect finds it recorded.
    operation: 'DynamoDB.PutItem',
    state: 'RecordTenantActive',
    throttle: retried,
    accessDenied: parkedWith('DynamoDB.PutItem'),
    afterEffect: retried,
    permanent: [{ outcome: 'skipped', why: 'a refused conditional write is a lost race, decided again (unit tests); a ledger that moved past the run ends it as superseded (workflow tests)' }],
  },
  {
    operation: 'EventBridge.PutEvents',
    state: 'PublishOrgProvisioned',
    throttle: retried,
    accessDenied: parkedWith('EventBridge.PutEvents'),
    // The event goes out twice: OrgProvisioned is delivered at least once.
    afterEffect: retried,
    permanent: [{ outcome: 'skipped', why: 'PublishOrgProvisioned has no Catch by design: the tenant is complete, so a publish failure is retried and then parked, never compensated' }],
  },
];

interface Case {
  title: string;
  operation: string;
  state: string;
  kind: Exclude<FaultKind, 'answer'>;
  expected: Exclude<Expected, { outcome: 'skipped' }>;
}

const cases: Case[] = [];
const skipped: { operation: string; kind: FaultKind; why: string }[] = [];
for (const row of MATRIX) {
  const entries: [Case['kind'], Expected][] = [
    ['throttle', row.throttle],
    ['access-denied', row.accessDenied],
    ['after-effect', row.afterEffect],
    ...row.permanent.map((expected): [Case['kind'], Expected] => ['permanent', expected]),
  ];
  for (const [kind, expected] of entries) {
    if (expected.outcome === 'skipped') {
      skipped.push({ operation: row.operation, kind, why: expected.why });
      continue;
    }
    const variant = expected.outcome === 'compensated' ? ` (${expected.variant})` : '';
    cases.push({ title: `${row.operation} × ${kind}${variant} → ${expected.outcome}`, operation: row.operation, state: row.state, kind, expected });
  }
}

// ---------------------------------------------------------------------------------------
// The pipeline, the fault layer and the residue of one tenant
// ---------------------------------------------------------------------------------------

let pipeline: LocalPipeline;
let faults: FaultInjector;
let nameConfig: Parameters<typeof tenantNames>[2];
/** Each run's orgIds are its own, also on an emulator that outlives the run (AWS_ENDPOINT_URL). */
const RUN = Date.now().toString(36).slice(-5);
let orgCounter = 0;
const nextOrgId = () => `fm-${RUN}-${++orgCounter}`;

const tally = { run: 0, asExpected: 0, leaked: 0 };

beforeAll(async () => {
  pipeline = await integrationPipeline();
  const clients = pipeline.functionClients;
  nameConfig = pipeline.config;
  faults = installFaults([clients.s3For(LOCAL_REGION), clients.iam, clients.secretsManager, clients.eventBridge, clients.s3control, clients.dynamodb], {
    emulateCreateBucketTags: pipeline.clients.s3,
  });
});

afterAll(async () => {
  await pipeline?.executions.idle();
  faults?.uninstall();
  await pipeline?.stop();
  const skippedNote = skipped.length > 0 ? `; ${skipped.length} skipped (no permanent condition)` : '';
  process.stdout.write(`fault matrix: ${tally.run} cases run, ${tally.asExpected} as expected, ${tally.leaked} resources leaked${skippedNote}\n`);
});

afterEach(async () => {
  faults.disarm();
  await pipeline.executions.idle();
});

function namesOf(orgId: string): TenantNames {
  return tenantNames(orgId, LOCAL_REGION, nameConfig);
}


const count = (r: TenantResidue) => r.buckets.length + r.users.length + r.accessKeys.length + r.secrets.length;

/** Resources beyond the expected end state: a complete tenant has one of each, a failed one none. */
function leakedBeyond(r: TenantResidue, complete: boolean): number {
  if (!complete) return count(r);
  const extra = (n: number) => Math.max(0, n - 1);
  return extra(r.buckets.length) + extra(r.users.length) + extra(r.accessKeys.length) + extra(r.secrets.length);
}

/** Exactly the tenant of docs/architecture.md, Names: its primary bucket, its user, one key, its secret holding that key. */
async function expectCompleteTenant(names: TenantNames, residue: TenantResidue): Promise<void> {
  expect(residue).toEqual({
    buckets: [names.bucketCandidates[0]],
    users: [names.userName],
    accessKeys: [expect.stringMatching(new RegExp(`^${names.userName}:`))],
    secrets: [names.secretName],
  });
  const { SecretString } = await pipeline.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: names.secretName }));
  const held = JSON.parse(SecretString ?? '{}') as { accessKeyId?: string };
  expect(residue.accessKeys).toEqual([`${names.userName}:${held.accessKeyId}`]);
}

/** The events the workflows put for this org (read from the recorded PutEvents calls, not from the shared events queue). */
function emitted(orgId: string): { detailType: string; detail: Record<string, unknown> }[] {
  return faults.calls.flatMap((call) => {
    if (call.operation !== 'EventBridge.PutEvents' || call.outcome === 'injected') return [];
    const entries = (call.input as { Entries?: { DetailType?: string; Detail?: string }[] }).Entries ?? [];
    return entries
      .map((entry) => ({ detailType: entry.DetailType ?? '', detail: JSON.parse(entry.Detail ?? '{}') as Record<string, unknown> }))
      .filter((event) => event.detail.orgId === orgId);
  });
}

async function statesOf(workflow: 'provision' | 'teardown', name: string, type: string): Promise<string[]> {
  const history = (await pipeline.executions.history(workflow, name)) ?? [];
  return history.filter((event) => event.type === type).map((event) => event.state ?? '');
}

async function provision(orgId: string): Promise<{ name: string; record: ExecutionRecord }> {
  const routed = await pipeline.send('OrgCreated', { orgId, orgName: `${orgId} Ltd` });
  expect(routed).toMatchObject({ action: 'started' });
  const name = routed.executionName as string;
  return { name, record: await pipeline.executions.waitFor('provision', name, { timeoutMs: 60_000 }) };
}

/**
 * Runs one case and scores it: as expected only when every assertion passed; leaked counts
 * what is left beyond the expected end state, whatever the outcome.
 */
async function scored(names: TenantNames, complete: () => boolean, body: () => Promise<void>): Promise<void> {
  tally.run++;
  try {
    await body();
    tally.asExpected++;
  } finally {
    await pipeline.executions.idle();
    tally.leaked += leakedBeyond(await residueOf(pipeline, names), complete());
  }
}

// ---------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------

/** What the recording run found: each operation with the state that made it, in first-call order. */
let discovered: { operation: string; state: string }[] = [];

describe('the fault matrix of provision-tenant', () => {
  it('discovers every AWS operation of a clean provisioning, and the matrix has a row for each', async () => {
    const orgId = nextOrgId();
    const names = namesOf(orgId);
    faults.clearCalls();

    let name = '';
    await scored(names, () => true, async () => {
      const provisioned = await provision(orgId);
      name = provisioned.name;
      expect(provisioned.record.status).toBe('SUCCEEDED');
      await expectCompleteTenant(names, await residueOf(pipeline, names));
    });

    discovered = operationsByState((await pipeline.executions.history('provision', name)) ?? [], faults.calls);
    const operations = discovered.map((d) => d.operation);
    expect(operations.length).toBeGreaterThan(0);
    expect(operations).toEqual(
      expect.arrayContaining(['S3.CreateBucket', 'IAM.CreateUser', 'IAM.CreateAccessKey', 'SecretsManager.CreateSecret', 'S3.PutBucketPolicy', 'EventBridge.PutEvents']),
    );
    // Both ways: a new call in the workflow needs a row; a row for a call it no longer makes is stale.
    expect([...operations].sort()).toEqual(MATRIX.map((row) => row.operation).sort());
    expect(Object.fromEntries(discovered.map((d) => [d.operation, d.state]))).toEqual(Object.fromEntries(MATRIX.map((row) => [row.operation, row.state])));
  });

  it.each(cases)('$title', async ({ operation, state, kind, expected }) => {
    expect(discovered.length).toBeGreaterThan(0);
    const orgId = nextOrgId();
    const names = namesOf(orgId);
    const position = discovered.findIndex((d) => d.operation === operation);
    const madeBefore = (op: string) => discovered.findIndex((d) => d.operation === op) < position;

    const completeExpected = expected.outcome !== 'compensated';
    await scored(names, () => completeExpected, async () => {
      const rule: FaultRule = { operation, kind };
      if (expected.outcome === 'compensated') {
        rule.error = expected.fault;
        if (expected.times !== undefined) rule.times = expected.times;
      }
      const companions = expected.outcome === 'parked' || expected.outcome === 'compensated' ? (expected.companions ?? []) : [];
      const [fault] = faults.arm(rule, ...companions);

      const { name, record } = await provision(orgId);
      expect(fault?.hits).toBeGreaterThan(0);

      switch (expected.outcome) {
        case 'retried':
        case 'absorbed': {
          expect(record.status).toBe('SUCCEEDED');
          const retriedStates = await statesOf('provision', name, 'StateRetried');
          if (expected.outcome === 'retried') expect(retriedStates).toContain(state);
          else expect(retriedStates).toEqual([]);
          await expectCompleteTenant(names, await residueOf(pipeline, names));
          expect(emitted(orgId).map((e) => e.detailType)).toContain('OrgProvisioned');
          break;
        }
        case 'parked': {
          expect(record).toMatchObject({ status: 'FAILED', failedState: state, error: expected.error, redriveStatus: 'REDRIVABLE' });
          const entered = await statesOf('provision', name, 'StateEntered');
          expect(entered.filter((s) => s.startsWith('Undo') || s === 'PublishOrgProvisioningFailed')).toEqual([]);
          // Nothing deleted: what the steps before the fault made is still there, once.
          const parked = await residueOf(pipeline, names);
          expect(parked.buckets).toEqual(madeBefore('S3.CreateBucket') ? [names.bucketCandidates[0]] : []);
          expect(parked.users).toEqual(madeBefore('IAM.CreateUser') ? [names.userName] : []);
          expect(parked.secrets).toEqual(madeBefore('SecretsManager.CreateSecret') ? [names.secretName] : []);
          expect(parked.accessKeys.length).toBe(madeBefore('IAM.CreateAccessKey') ? 1 : 0);
          expect(emitted(orgId).map((e) => e.detailType)).not.toContain('OrgProvisioningFailed');

          faults.disarm();
          await pipeline.executions.redrive('provision', name);
          const redriven = await pipeline.executions.waitFor('provision', name, { timeoutMs: 60_000 });
          expect(redriven.status).toBe('SUCCEEDED');
          await expectCompleteTenant(names, await residueOf(pipeline, names));
          expect(emitted(orgId).map((e) => e.detailType)).toEqual(['OrgProvisioned']);
          break;
        }
        case 'compensated': {
          expect(record).toMatchObject({ status: 'FAILED', error: expected.error, failedState: 'ProvisioningFailed' });
          expect(await residueOf(pipeline, names)).toEqual({ buckets: [], users: [], accessKeys: [], secrets: [] });
          const failures = emitted(orgId).filter((e) => e.detailType === 'OrgProvisioningFailed');
          expect(failures).toHaveLength(1);
          expect(failures[0]?.detail).toMatchObject({ orgId, stage: 'workflow', error: expected.error });
          expect(emitted(orgId).map((e) => e.detailType)).not.toContain('OrgProvisioned');
          break;
        }
      }
    });
  });
});

describe('the fault matrix of teardown-tenant', () => {
  it('tears a tenant down to nothing through a throttled DeleteObjects and a DeleteUser that times out after it took effect', async () => {
    const orgId = nextOrgId();
    const names = namesOf(orgId);
    const { record: provisioned } = await provision(orgId);
    expect(provisioned.status).toBe('SUCCEEDED');
    const bucket = names.bucketCandidates[0] as string;
    for (const key of ['a.txt', 'b/c.txt', 'pub/logo.png']) {
      await pipeline.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }

    await scored(names, () => false, async () => {
      const [throttled, timedOut] = faults.arm({ operation: 'S3.DeleteObjects', kind: 'throttle', times: 2 }, { operation: 'IAM.DeleteUser', kind: 'after-effect' });
      const routed = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
      expect(routed).toMatchObject({ action: 'started', workflow: 'teardown' });
      const record = await pipeline.executions.waitFor('teardown', routed.executionName as string, { timeoutMs: 60_000 });

      expect(record.status).toBe('SUCCEEDED');
      expect(throttled?.hits).toBe(2);
      expect(timedOut?.hits).toBe(1);
      const retriedStates = await statesOf('teardown', routed.executionName as string, 'StateRetried');
      expect(retriedStates).toEqual(expect.arrayContaining(['DeleteTenantBucket', 'DeleteTenantUser']));
      expect(await residueOf(pipeline, names)).toEqual({ buckets: [], users: [], accessKeys: [], secrets: [] });
      const deprovisioned = emitted(orgId).filter((e) => e.detailType === 'OrgDeprovisioned');
      expect(deprovisioned).toHaveLength(1);
      expect(deprovisioned[0]?.detail).toMatchObject({ orgId, bucket, objectsDeleted: 3 });
    });
  });
});

describe('the count of deleted objects in OrgDeprovisioned', () => {
  // A round deletes its batches concurrently; when one fails (a throttle here), the batches that
  // succeeded are still counted and the step returns "not done" to continue from a fresh listing.
  it('counts every version and marker even when one DeleteObjects batch of a round is throttled', async () => {
    const orgId = nextOrgId();
    const names = namesOf(orgId);
    const { record: provisioned } = await provision(orgId);
    expect(provisioned.status).toBe('SUCCEEDED');
    const bucket = names.bucketCandidates[0] as string;
    const { s3 } = pipeline.clients;
    // 501 objects, each with a delete marker on top: 1,002 entries, a round of two
    // DeleteObjects batches (1,000 and 2). (The emulator makes no marker for a key that never existed.)
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const keys = Array.from({ length: 501 }, (_, i) => `gone/${String(i).padStart(3, '0')}`);
    for (let i = 0; i < keys.length; i += 16) {
      await Promise.all(keys.slice(i, i + 16).map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))));
    }
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
    const [throttled] = faults.arm({ operation: 'S3.DeleteObjects', kind: 'throttle', call: 2, times: 1 });

    const routed = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
    const record = await pipeline.executions.waitFor('teardown', routed.executionName as string, { timeoutMs: 60_000 });

    expect(record.status).toBe('SUCCEEDED');
    expect(throttled?.hits).toBe(1);
    expect(await residueOf(pipeline, names)).toEqual({ buckets: [], users: [], accessKeys: [], secrets: [] });
    const deprovisioned = emitted(orgId).filter((e) => e.detailType === 'OrgDeprovisioned');
    expect(deprovisioned.map((e) => e.detail.objectsDeleted)).toEqual([1002]);
  });
});

describe('a bucket of this account that is not the tenant’s, under the tenant’s first name', () => {
  /** An operator's own bucket (this account, not managed by tenant-provisioner) squatting on `fusion-rms-<slug>`. */
  async function squat(names: TenantNames): Promise<string> {
    const bucket = names.bucketCandidates[0] as string;
    await pipeline.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await pipeline.clients.s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: 'Team', Value: 'analytics' }] } }));
    return bucket;
  }

  async function expectLeftAlone(bucket: string, names: TenantNames, record: ExecutionRecord): Promise<void> {
    expect(record.status).toBe('SUCCEEDED');
    expect((record.output as { bucket: { name: string } }).bucket.name).toBe(names.bucketCandidates[1]);
    expect((await pipeline.clients.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual([{ Key: 'Team', Value: 'analytics' }]);
  }

  it('is skipped for the first fallback name and left untouched', async () => {
    const orgId = nextOrgId();
    const names = namesOf(orgId);
    const bucket = await squat(names);

    const { record } = await provision(orgId);

    await expectLeftAlone(bucket, names, record);
  });

  // A throttled HeadBucket must not fall through to CreateBucket, which in us-east-1 answers 200
  // for a bucket this account already owns: the step would take that bucket as its own.
  it('is skipped and left untouched even when HeadBucket is throttled', async () => {
    const orgId = nextOrgId();
    const names = namesOf(orgId);
    const bucket = await squat(names);
    const [throttled] = faults.arm({ operation: 'S3.HeadBucket', kind: 'throttle', times: 1 });

    const { record } = await provision(orgId);

    expect(throttled?.hits).toBe(1);
    await expectLeftAlone(bucket, names, record);
  });
});

describe('the matrix as a whole', () => {
  it('ran every case as expected and leaked nothing', () => {
    expect(tally.run).toBe(cases.length + 2);
    expect(tally.asExpected).toBe(tally.run);
    expect(tally.leaked).toBe(0);
  });
});
