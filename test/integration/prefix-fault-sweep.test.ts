/**
 * Every step of a prefix tenant's provisioning safe to repeat: for every AWS operation its
 * provisioning makes (found by a recording run), a throttled call, a denied call and a call that
 * succeeds but whose answer is lost are injected into the functions' real SDK clients, through the
 * real router, ASL and handlers against the emulator. A throttle is retried to success; a denial
 * parks the run at the operation's state, with nothing rolled back, and a redrive completes it;
 * a lost answer is retried to success. Each case ends with exactly one user, one key, one secret
 * holding that key, and the prefix policy attached once: nothing doubled, nothing lost.
 */
import { ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import { ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { ExecutionRecord } from '../../functions/lib/executions';
import { tenantNames } from '../../functions/lib/naming';
import type { LocalPipeline } from '../../local/pipeline';
import { parseTenantSecret } from '../../functions/lib/tenant-secret';
import { LOCAL_REGION, LOCAL_SHARED_BUCKET } from '../../local/stack';
import { accessDeniedError, installFaults, operationsByState, type FaultInjector, type FaultKind } from '../support/fault-injection';
import { integrationPipeline } from './integration-pipeline';

jest.setTimeout(120_000);

const prefixPolicyArn = () => `arn:aws:iam::${pipeline.config.accountId}:policy/tenant-provisioner-local-tenant-prefix`;
const RUN = Date.now().toString(36).slice(-5);
let orgCounter = 0;
const nextOrgId = () => `pfs-${RUN}-${++orgCounter}`;

/**
 * The operations whose denial the step absorbs by design, and why: the run then succeeds without
 * parking. (The claim's GetObjectTagging is made only for a prefix that holds objects, which a
 * clean run's does not, so it is not among the operations swept.)
 */
const ABSORBS_DENIAL: Record<string, string> = {};

/** Denials a step names in its own error rather than the SDK's (still uncaught: the run parks). */
const PARKS_WITH: Record<string, string> = {
  // A 403 to HeadBucket with ExpectedBucketOwner: another account's bucket, or our role without the right.
  'S3.HeadBucket': 'SharedBucketUnavailableError',
};

let pipeline: LocalPipeline;
let faults: FaultInjector;
const tally = { run: 0, asExpected: 0, doubled: 0 };

beforeAll(async () => {
  pipeline = await integrationPipeline({ tenancy: 'prefix' });
  const clients = pipeline.functionClients;
  faults = installFaults([clients.s3For(LOCAL_REGION), clients.iam, clients.secretsManager, clients.eventBridge, clients.dynamodb]);
});

afterAll(async () => {
  await pipeline?.executions.idle();
  faults?.uninstall();
  await pipeline?.stop();
  process.stdout.write(`prefix fault sweep: ${tally.run} cases run, ${tally.asExpected} as expected, ${tally.doubled} resources doubled, missing or left behind\n`);
});

afterEach(async () => {
  faults.disarm();
  await pipeline.executions.idle();
});

async function provision(orgId: string): Promise<{ name: string; record: ExecutionRecord }> {
  const routed = await pipeline.send('OrgCreated', { orgId });
  expect(routed).toMatchObject({ action: 'started' });
  const name = routed.executionName as string;
  return { name, record: await pipeline.executions.waitFor('provision', name, { timeoutMs: 60_000 }) };
}

/** How far the tenant is from exactly one user, one key (the secret's), one secret and one attachment of the prefix policy. */
async function deviations(orgId: string): Promise<string[]> {
  const names = tenantNames(orgId, LOCAL_REGION, pipeline.config);
  const residue = await pipeline.residue();
  const users = residue.users.filter((u) => u === names.userName);
  const keys = residue.accessKeys.filter((k) => k.startsWith(`${names.userName}:`));
  const secrets = residue.secrets.filter((s) => s === names.secretName);
  const problems: string[] = [];
  if (users.length !== 1) problems.push(`${users.length} users`);
  if (keys.length !== 1) problems.push(`${keys.length} access keys`);
  if (secrets.length !== 1) problems.push(`${secrets.length} secrets`);
  if (secrets.length === 1 && keys.length === 1) {
    const { SecretString } = await pipeline.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: names.secretName }));
    const held = JSON.parse(SecretString ?? '{}') as { accessKeyId?: string; prefix?: string };
    if (`${names.userName}:${held.accessKeyId ?? ''}` !== keys[0]) problems.push('the secret holds another key');
    if (held.prefix !== `userdata/${orgId.toLowerCase()}-publisher/`) problems.push(`the secret names prefix ${JSON.stringify(held.prefix)}`);
  }
  if (users.length === 1) {
    const attached = (await pipeline.clients.iam.send(new ListAttachedUserPoliciesCommand({ UserName: names.userName }))).AttachedPolicies ?? [];
    if (attached.map((p) => p.PolicyArn).join() !== prefixPolicyArn()) problems.push(`attached: ${attached.map((p) => p.PolicyArn).join(', ') || 'nothing'}`);
  }
  return problems;
}

async function statesOf(name: string, type: string, workflow: 'provision' | 'teardown' = 'provision'): Promise<string[]> {
  return ((await pipeline.executions.history(workflow, name)) ?? []).filter((event) => event.type === type).map((event) => event.state ?? '');
}

/** Each operation of `workflow`'s run `name`, with the Task state that made it, over the calls since `since`. */
async function operationsOf(workflow: 'provision' | 'teardown', name: string, since: number): Promise<{ operation: string; state: string }[]> {
  return operationsByState((await pipeline.executions.history(workflow, name)) ?? [], faults.calls.slice(since));
}

const prefixOf = (orgId: string) => `userdata/${orgId.toLowerCase()}-publisher/`;

/** Every version and delete marker under `prefix` of the shared bucket. */
async function versionsUnder(prefix: string): Promise<number> {
  const listing = await pipeline.clients.s3.send(new ListObjectVersionsCommand({ Bucket: LOCAL_SHARED_BUCKET, Prefix: prefix }));
  return (listing.Versions?.length ?? 0) + (listing.DeleteMarkers?.length ?? 0);
}

/** A provisioned prefix tenant that has written three versions with its own key. */
async function tenantWithData(orgId: string): Promise<void> {
  const { record } = await provision(orgId);
  expect(record.status).toBe('SUCCEEDED');
  const names = tenantNames(orgId, LOCAL_REGION, pipeline.config);
  const { SecretString } = await pipeline.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: names.secretName }));
  const secret = parseTenantSecret(SecretString);
  if (!secret) throw new Error(`no credentials for ${orgId}`);
  const site = new S3Client({ endpoint: pipeline.emulator.endpoint, region: LOCAL_REGION, forcePathStyle: true, credentials: { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey } });
  for (const body of ['v1', 'v2', 'v3']) await site.send(new PutObjectCommand({ Bucket: LOCAL_SHARED_BUCKET, Key: `${prefixOf(orgId)}sales.csv`, Body: body }));
}

async function tearDown(orgId: string): Promise<{ name: string; record: ExecutionRecord }> {
  const routed = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
  expect(routed).toMatchObject({ action: 'started' });
  const name = routed.executionName as string;
  return { name, record: await pipeline.executions.waitFor('teardown', name, { timeoutMs: 60_000 }) };
}

/** What a finished teardown may leave of the tenant: nothing (no user, key, secret, nor anything under its prefix). */
async function leftAfterTeardown(orgId: string): Promise<string[]> {
  const names = tenantNames(orgId, LOCAL_REGION, pipeline.config);
  const residue = await pipeline.residue();
  return [
    ...residue.users.filter((u) => u === names.userName),
    ...residue.accessKeys.filter((k) => k.startsWith(`${names.userName}:`)),
    ...residue.secrets.filter((s) => s === names.secretName),
    ...((await versionsUnder(prefixOf(orgId))) > 0 ? [`${await versionsUnder(prefixOf(orgId))} versions under ${prefixOf(orgId)}`] : []),
  ];
}

/** What the recording run found: each operation with the Task state that made it, in first-call order. */
let discovered: { operation: string; state: string }[] = [];

describe("the fault sweep of a prefix tenant's provisioning", () => {
  it('discovers every AWS operation of a clean prefix provisioning', async () => {
    const orgId = nextOrgId();
    faults.clearCalls();
    const { name, record } = await provision(orgId);
    expect(record.status).toBe('SUCCEEDED');
    expect(await deviations(orgId)).toEqual([]);

    discovered = await operationsOf('provision', name, 0);
    // The prefix path: no bucket is created, configured or given a policy.
    expect(discovered.map((d) => d.operation)).toEqual(expect.arrayContaining(['S3.HeadBucket', 'S3.ListObjectsV2', 'IAM.CreateUser', 'IAM.AttachUserPolicy', 'IAM.CreateAccessKey', 'SecretsManager.CreateSecret', 'EventBridge.PutEvents']));
    expect(discovered.map((d) => d.operation).filter((op) => /CreateBucket|PutBucket|PutPublicAccessBlock|PutObject$/.test(op))).toEqual([]);
    process.stdout.write(`prefix fault sweep: ${discovered.length} operations: ${discovered.map((d) => `${d.operation} (${d.state})`).join(', ')}\n`);
  });

  const kinds: FaultKind[] = ['throttle', 'access-denied', 'after-effect'];
  it.each(kinds)('%s on every operation ends with exactly one of everything', async (kind) => {
    expect(discovered.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const { operation, state } of discovered) {
      const orgId = nextOrgId();
      tally.run++;
      const [fault] = faults.arm({ operation, kind });
      const { name, record } = await provision(orgId);
      const problems: string[] = [];
      if (!fault?.hits) problems.push('the fault was never hit');
      if (kind === 'access-denied' && !(operation in ABSORBS_DENIAL)) {
        const error = PARKS_WITH[operation] ?? accessDeniedError(operation).name;
        if (record.status !== 'FAILED' || record.failedState !== state || record.error !== error) {
          problems.push(`expected parked at ${state} with ${error}, got ${record.status} at ${record.failedState ?? '-'} (${record.error ?? ''})`);
        }
        const entered = await statesOf(name, 'StateEntered');
        if (entered.some((s) => s.startsWith('Undo') || s === 'PublishOrgProvisioningFailed')) problems.push('a parked run rolled back');
        faults.disarm();
        await pipeline.executions.redrive('provision', name);
        const redriven = await pipeline.executions.waitFor('provision', name, { timeoutMs: 60_000 });
        if (redriven.status !== 'SUCCEEDED') problems.push(`the redrive ended ${redriven.status} (${redriven.error ?? ''})`);
      } else if (record.status !== 'SUCCEEDED') {
        problems.push(`expected SUCCEEDED, got ${record.status} at ${record.failedState ?? '-'} (${record.error ?? ''})`);
      } else if (kind === 'throttle' && !(await statesOf(name, 'StateRetried')).includes(state)) {
        problems.push(`${state} was not retried`);
      }
      await pipeline.executions.idle();
      const left = await deviations(orgId);
      tally.doubled += left.length;
      problems.push(...left);
      if (problems.length === 0) tally.asExpected++;
      else failures.push(`${kind} on ${operation} (${state}): ${problems.join('; ')}`);
      faults.disarm();
    }
    expect(failures).toEqual([]);
  });
});

/** What the teardown's recording run found. */
let teardownOperations: { operation: string; state: string }[] = [];

describe("the fault sweep of a prefix tenant's teardown", () => {
  it('discovers every AWS operation of a clean prefix teardown: none on the shared bucket itself', async () => {
    const orgId = nextOrgId();
    const neighbour = nextOrgId();
    await tenantWithData(orgId);
    await tenantWithData(neighbour);
    const since = faults.calls.length;
    const { name, record } = await tearDown(orgId);
    expect(record.status).toBe('SUCCEEDED');
    expect(await leftAfterTeardown(orgId)).toEqual([]);
    expect(await versionsUnder(prefixOf(neighbour))).toBe(3);

    teardownOperations = await operationsOf('teardown', name, since);
    expect(teardownOperations.map((d) => d.operation)).toEqual(expect.arrayContaining(['IAM.UpdateAccessKey', 'IAM.DetachUserPolicy', 'IAM.DeleteUser', 'SecretsManager.DeleteSecret', 'S3.ListObjectVersions', 'S3.DeleteObjects']));
    expect(teardownOperations.map((d) => d.operation).filter((op) => /DeleteBucket|BucketPolicy|GetBucketTagging/.test(op))).toEqual([]);
    process.stdout.write(`prefix fault sweep: teardown ${teardownOperations.length} operations: ${teardownOperations.map((d) => `${d.operation} (${d.state})`).join(', ')}\n`);
  });

  const kinds: FaultKind[] = ['throttle', 'access-denied', 'after-effect'];
  it.each(kinds)('%s on every teardown operation ends with nothing of the tenant left and its neighbour untouched', async (kind) => {
    expect(teardownOperations.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const { operation, state } of teardownOperations) {
      const orgId = nextOrgId();
      const neighbour = nextOrgId();
      await tenantWithData(orgId);
      await tenantWithData(neighbour);
      tally.run++;
      const [fault] = faults.arm({ operation, kind });
      const { name, record } = await tearDown(orgId);
      const problems: string[] = [];
      if (!fault?.hits) problems.push('the fault was never hit');
      if (kind === 'access-denied') {
        if (record.status !== 'FAILED' || record.failedState !== state) problems.push(`expected parked at ${state}, got ${record.status} at ${record.failedState ?? '-'} (${record.error ?? ''})`);
        faults.disarm();
        await pipeline.executions.redrive('teardown', name);
        const redriven = await pipeline.executions.waitFor('teardown', name, { timeoutMs: 60_000 });
        if (redriven.status !== 'SUCCEEDED') problems.push(`the redrive ended ${redriven.status} (${redriven.error ?? ''})`);
      } else if (record.status !== 'SUCCEEDED') {
        problems.push(`expected SUCCEEDED, got ${record.status} at ${record.failedState ?? '-'} (${record.error ?? ''})`);
      } else if (kind === 'throttle' && !(await statesOf(name, 'StateRetried', 'teardown')).includes(state)) {
        problems.push(`${state} was not retried`);
      }
      await pipeline.executions.idle();
      const left = await leftAfterTeardown(orgId);
      tally.doubled += left.length;
      problems.push(...left.map((r) => `left: ${r}`));
      const neighbours = await versionsUnder(prefixOf(neighbour));
      if (neighbours !== 3) problems.push(`the neighbour has ${neighbours} versions, not 3`);
      if (problems.length === 0) tally.asExpected++;
      else failures.push(`${kind} on ${operation} (${state}): ${problems.join('; ')}`);
      faults.disarm();
    }
    expect(failures).toEqual([]);
  });
});
