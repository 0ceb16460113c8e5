import {
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { loadConfig } from '../../../functions/lib/config';
import { TenantRunSupersededError } from '../../../functions/lib/errors';
import { applyLifecycle } from '../../../functions/lib/ledger/apply';
import { DynamoLedgerStore } from '../../../functions/lib/ledger/dynamo-store';
import type { LifecycleRequest } from '../../../functions/lib/ledger/lifecycle';
import type { TenantLedgerItem } from '../../../functions/lib/ledger/model';
import { orgProvisionedDetail } from '../../../functions/lib/publish';
import { splitLedgerRun, tenantRef } from '../../../functions/lib/tenant';
import type { ProvisionState, RevocationResult, TenantRef } from '../../../functions/lib/types';
import { prepareTeardown } from '../../../functions/prepare-teardown';
import { handler } from '../../../functions/lambda/record-tenant-state';
import { recordTenantState, type RecordTenantStateInput } from '../../../functions/record-tenant-state';
import { validateOrg } from '../../../functions/validate-org';
import { FakeLedgerTable } from '../../support/fake-aws';
import { sampleLifecycleDeps, sampleProvisioned, SAMPLE_ORG_ID, type RecordedExecutions } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';

const dynamoMock = mockClient(DynamoDBClient);
// An OrgCreated the ledger refuses is reported as OrgProvisioningFailed.
mockClient(EventBridgeClient).on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-reported' }] });
const config = loadConfig();
const SLUG = 'acme-bistro-42';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');

let table: FakeLedgerTable;
let clock: { now: Date };
let deps: ReturnType<typeof sampleLifecycleDeps>;

/** Minutes after T0. */
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const created: LifecycleRequest = { kind: 'OrgCreated', orgId: SAMPLE_ORG_ID, orgName: 'Acme Bistro', eventTime: at(0).toISOString(), eventId: 'created-1' };
const deleted = (retentionDays = 30): LifecycleRequest => ({ kind: 'OrgDeleted', orgId: SAMPLE_ORG_ID, retentionDays, eventTime: at(10).toISOString(), eventId: 'deleted-1' });
const createdAgain: LifecycleRequest = { ...created, eventTime: at(20).toISOString(), eventId: 'created-2' } as LifecycleRequest;

const item = (): TenantLedgerItem => table.get(SLUG) as TenantLedgerItem;
const startOf = (name: string) => deps.recorded.started.find((start) => start.name === name) as RecordedExecutions['started'][number];
const execution = (name: string) => ({ name, startTime: clock.now.toISOString() });

/** The tenant as the provisioning the ledger started sees it (ValidateOrg on its input). */
const provisioningTenant = async (name = `${SLUG}-g1-provision`): Promise<TenantRef> => validateOrg({ event: startOf(name).input, execution: execution(name) }, { config });
/** The tenant as the teardown the ledger started sees it (PrepareTeardown on its input). */
const teardownTenant = async (name = `${SLUG}-g1-teardown`): Promise<TenantRef> => (await prepareTeardown({ event: startOf(name).input, execution: execution(name) }, { config })).tenant;
/** The tenant as the restore the ledger started sees it (RestoreTenantAccess derives it so). */
function restoreTenant(name = `${SLUG}-g1-restore`): TenantRef {
  const { run, rest } = splitLedgerRun(startOf(name).input, 'restore-tenant');
  const { orgId, region } = rest as { orgId: string; region: string };
  return tenantRef({ orgId, region }, execution(name), config, 'OrgCreated', run);
}

const provisionedInput = (tenant: TenantRef): RecordTenantStateInput => ({ transition: 'provisioned', ...sampleProvisioned({ tenant }) });
const revocation = (keysDeactivated = ['AKIAOLDKEY0000000001']): RevocationResult => ({ bucketName: 'fusion-rms-acme-bistro-42', bucketFoundBy: 'ledger', keysDeactivated, bucketPolicyDeleted: true, skipped: [] });

/** Brings the sample tenant through the router's decisions and its workflows' steps, in order. */
async function reach(state: 'provisioning' | 'active' | 'revoking' | 'retained' | 'deleting' | 'restoring'): Promise<void> {
  await applyLifecycle(created, deps);
  if (state === 'provisioning') return;
  await recordTenantState(provisionedInput(await provisioningTenant()), deps);
  if (state === 'active') return;
  await applyLifecycle(deleted(), deps);
  if (state === 'revoking') return;
  await recordTenantState({ transition: 'revoked', tenant: await teardownTenant(), revoked: revocation() }, deps);
  if (state === 'retained') return;
  if (state === 'restoring') {
    await applyLifecycle(createdAgain, deps);
    return;
  }
  await recordTenantState({ transition: 'deletion-started', tenant: await teardownTenant() }, deps);
}

beforeEach(() => {
  dynamoMock.reset();
  table = new FakeLedgerTable(config.tenantLedgerTable).serve(dynamoMock);
  clock = { now: at(1) };
  deps = sampleLifecycleDeps(new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable), clock);
});

describe('recordTenantState', () => {
  it('records a provisioning that succeeded: active, with its bucket, user, secret and the OrgProvisioned detail it returns', async () => {
    await reach('provisioning');
    const before = item();
    const tenant = await provisioningTenant();
    dynamoMock.resetHistory();
    clock.now = at(2);

    const result = await recordTenantState(provisionedInput(tenant), deps);

    const detail = orgProvisionedDetail(sampleProvisioned({ tenant }), at(2));
    expect(result).toEqual({ recorded: true, state: 'active', generation: 1, provisioned: detail });
    expect(detail).toMatchObject({ executionName: `${SLUG}-g1-provision`, generation: 1 });
    expect(item()).toMatchObject({
      state: 'active',
      version: before.version + 1,
      resources: { bucket: 'fusion-rms-acme-bistro-42', userArn: sampleProvisioned().user.arn, secretArn: sampleProvisioned().credentials.secretArn },
      provisioned: detail,
    });
    expect(item().history.at(-1)).toMatchObject({ from: 'provisioning', to: 'active', by: `workflow ${SLUG}-g1-provision` });
    // Both states are live: one conditional PutItem, no counter change.
    expect(dynamoMock).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: config.tenantLedgerTable,
      ConditionExpression: '#version = :version',
      ExpressionAttributeValues: { ':version': { N: String(before.version) } },
    });
    expect(dynamoMock).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
    expect(dynamoMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: config.tenantLedgerTable, Key: { slug: { S: SLUG } }, ConsistentRead: true });
  });

  it('answers a repeated step (a retry after a lost response, a redrive) from the ledger: the first detail, nothing written', async () => {
    await reach('provisioning');
    const tenant = await provisioningTenant();
    clock.now = at(2);
    const first = await recordTenantState(provisionedInput(tenant), deps);
    const version = item().version;
    dynamoMock.resetHistory();
    clock.now = at(50);

    const again = await recordTenantState(provisionedInput(tenant), deps);

    expect(again).toEqual(first);
    expect(again.provisioned?.provisionedAt).toBe(at(2).toISOString());
    expect(item().version).toBe(version);
    expect(dynamoMock).toHaveReceivedCommandTimes(PutItemCommand, 0);
    expect(dynamoMock).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
  });

  it('refuses a provisioning whose tenant the ledger has moved past (OrgDeleted while it ran) with TenantRunSupersededError, writing nothing', async () => {
    await reach('provisioning');
    const tenant = await provisioningTenant();
    await applyLifecycle(deleted(), deps);
    const before = item();
    dynamoMock.resetHistory();

    const result = recordTenantState(provisionedInput(tenant), deps);

    await expect(result).rejects.toThrow(TenantRunSupersededError);
    await expect(result).rejects.toThrow(new RegExp(`Run ${tenant.provisionedBy.replace('.', '\\.')} of tenant ${SLUG} cannot record provisioned: .*revoking`));
    expect(item()).toEqual(before);
    expect(dynamoMock).toHaveReceivedCommandTimes(PutItemCommand, 0);
    expect(dynamoMock).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
  });

  it('refuses a run whose execution name is the current one but whose run id is not (a name Step Functions gave again after 90 days)', async () => {
    await reach('provisioning');
    const tenant = await provisioningTenant();
    const impostor = { ...tenant, provisionedBy: `${tenant.executionName}.fedcba987654` };

    await expect(recordTenantState(provisionedInput(impostor), deps)).rejects.toThrow(TenantRunSupersededError);
    expect(item().state).toBe('provisioning');
  });

  it('refuses a step the tenant has no item for', async () => {
    const tenant = await validateOrg({ event: { orgId: SAMPLE_ORG_ID, generation: 1, runId: `${SLUG}-g1-provision.0123456789ab` }, execution: execution(`${SLUG}-g1-provision`) }, { config });

    await expect(recordTenantState(provisionedInput(tenant), deps)).rejects.toThrow(TenantRunSupersededError);
    expect(table.get(SLUG)).toBeUndefined();
  });

  it('records a rollback: rolled back, and the tenant no longer counts as live (one transaction with the counter)', async () => {
    await reach('provisioning');
    const tenant = await provisioningTenant();
    expect(table.liveTenants()).toBe(1);
    dynamoMock.resetHistory();
    const state: ProvisionState = { ...startOf(`${SLUG}-g1-provision`).input, tenant, error: { Error: 'TenantUserConflictError', Cause: 'not ours' } };

    const result = await recordTenantState({ transition: 'rolled-back', state }, deps);

    expect(result).toEqual({ recorded: true, state: 'rolled-back', generation: 1 });
    expect(item().history.at(-1)).toMatchObject({ from: 'provisioning', to: 'rolled-back', reason: expect.stringContaining('TenantUserConflictError') });
    expect(table.liveTenants()).toBe(0);
    expect(dynamoMock).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
    const transaction = dynamoMock.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(transaction[0]?.Put).toMatchObject({ ConditionExpression: '#version = :version' });
    expect(transaction[1]?.Update).toMatchObject({ Key: { slug: { S: '#live-tenants' } }, UpdateExpression: 'ADD #live :delta', ExpressionAttributeValues: { ':delta': { N: '-1' } } });
    expect(transaction[1]?.Update).not.toHaveProperty('ConditionExpression');
  });

  it('records the rollback of a run that failed in ValidateOrg from the input alone (no tenant yet)', async () => {
    await reach('provisioning');
    const input = startOf(`${SLUG}-g1-provision`).input;
    const state: ProvisionState = { ...input, error: { Error: 'InvalidEventError', Cause: 'region' } };

    await expect(recordTenantState({ transition: 'rolled-back', state }, deps)).resolves.toMatchObject({ recorded: true, state: 'rolled-back' });
    expect(item().state).toBe('rolled-back');
  });

  it.each<[string, ProvisionState]>([
    ['an invalid orgId', { orgId: 'a_b', runId: `${SLUG}-g1-provision.0123456789ab`, error: { Error: 'InvalidOrgIdError' } }],
    ['an orgId that is not a string', { orgId: 42 as unknown as string, runId: `${SLUG}-g1-provision.0123456789ab`, error: { Error: 'InvalidOrgIdError' } }],
    ['no orgId', { runId: `${SLUG}-g1-provision.0123456789ab`, error: { Error: 'InvalidOrgIdError' } }],
    ['no run id (an execution the ledger did not start)', { orgId: SAMPLE_ORG_ID, error: { Error: 'InvalidEventError' } }],
  ])('records nothing for the rollback of an execution with %s, and calls nothing', async (_label, state) => {
    const result = await recordTenantState({ transition: 'rolled-back', state }, deps);

    expect(result).toEqual({ recorded: false });
    expect(dynamoMock.calls()).toHaveLength(0);
  });

  it('records access revoked: retained until the retention ends, with the keys the teardown deactivated', async () => {
    await reach('revoking');
    const tenant = await teardownTenant();
    clock.now = at(11);

    const result = await recordTenantState({ transition: 'revoked', tenant, revoked: revocation(['AKIAOLDKEY0000000001', 'AKIAOLDKEY0000000002']) }, deps);

    expect(result).toEqual({ recorded: true, state: 'retained', generation: 1 });
    expect(item().state).toBe('retained');
    expect(item().teardown).toMatchObject({
      name: `${SLUG}-g1-teardown`,
      retentionDays: 30,
      retainedUntil: new Date(at(11).getTime() + 30 * 86_400_000).toISOString(),
      keysDeactivated: ['AKIAOLDKEY0000000001', 'AKIAOLDKEY0000000002'],
    });
  });

  it('records deletion begun (deleting) and then deleted, the tombstone no longer live', async () => {
    await reach('retained');
    const tenant = await teardownTenant();
    expect(table.liveTenants()).toBe(1);

    await expect(recordTenantState({ transition: 'deletion-started', tenant }, deps)).resolves.toEqual({ recorded: true, state: 'deleting', generation: 1 });
    await expect(recordTenantState({ transition: 'deleted', tenant }, deps)).resolves.toEqual({ recorded: true, state: 'deleted', generation: 1 });

    expect(item().history.slice(-2).map((entry) => `${entry.from}→${entry.to}`)).toEqual(['retained→deleting', 'deleting→deleted']);
    expect(table.liveTenants()).toBe(0);
  });

  describe('a teardown that continues as new (its bucket deletion came near the history limit)', () => {
    const carried = (cursor: string, objectsDeleted: number) => ({
      revoked: revocation(),
      deletedCredentials: { deleted: ['secret x'], skipped: [] },
      deletedUser: { deleted: ['user rms_acme-bistro-42'], skipped: [] },
      deletedBucket: { done: false as const, cursor, objectsDeleted, deleted: [], skipped: [], history: { events: 0 } },
    });

    it('records the next execution as the tenant\'s teardown, with the earlier part, and starts it with the loop\'s state; that execution resumes the deletion', async () => {
      await reach('deleting');
      const first = item().teardown;
      const tenant = await teardownTenant();
      deps.recorded.started.length = 0;

      const result = await recordTenantState({ transition: 'continued', tenant, carried: carried('{"k":1}', 250_000) }, deps);

      const name = `${SLUG}-g1-teardown-part2`;
      expect(result).toMatchObject({ recorded: true, state: 'deleting', continuedIn: { executionName: name, executionArn: expect.stringContaining(`:${name}`) } });
      expect(item().teardown).toMatchObject({
        name,
        part: 2,
        retentionDays: first?.retentionDays,
        earlierParts: [{ name: first?.name, arn: first?.arn, runId: first?.runId, startedAt: first?.startedAt }],
      });
      expect(item().teardown?.runId).not.toBe(first?.runId);
      expect(item().history.at(-1)).toMatchObject({ from: 'deleting', to: 'deleting', reason: `history near Step Functions' limit after 250000 versions deleted: continues in ${name} (part 2)` });
      expect(deps.recorded.started.map((start) => start.name)).toEqual([name]);

      // The new execution's PrepareTeardown finds the continuation, and its steps present the new run id.
      const plan = await prepareTeardown({ event: startOf(name).input, execution: execution(name) }, { config });
      expect(plan.continuation).toEqual({ part: 2, previous: first?.name, ...carried('{"k":1}', 250_000) });
      expect(plan.settleSeconds).toBe(0);
      await expect(recordTenantState({ transition: 'confirm', workflow: 'teardown', tenant: plan.tenant }, deps)).resolves.toMatchObject({ recorded: true });
      // The run it replaced can no longer act.
      await expect(recordTenantState({ transition: 'deleted', tenant }, deps)).rejects.toThrow(TenantRunSupersededError);

      // Part 3 names the first execution's name, and lists both earlier parts.
      await recordTenantState({ transition: 'continued', tenant: plan.tenant, carried: carried('{"k":2}', 500_000) }, deps);
      expect(item().teardown).toMatchObject({ name: `${SLUG}-g1-teardown-part3`, part: 3, earlierParts: [{ name: first?.name }, { name }] });
      await expect(recordTenantState({ transition: 'deleted', tenant: await teardownTenant(`${SLUG}-g1-teardown-part3`) }, deps)).resolves.toMatchObject({ state: 'deleted' });
    });

    it('repeated by the run that asked (its Lambda crashed after the write), starts the same execution again and writes nothing', async () => {
      await reach('deleting');
      const tenant = await teardownTenant();
      await recordTenantState({ transition: 'continued', tenant, carried: carried('{"k":1}', 10) }, deps);
      const after = item();
      const started = deps.recorded.started.at(-1);

      const again = await recordTenantState({ transition: 'continued', tenant, carried: carried('{"k":1}', 10) }, deps);

      expect(again).toMatchObject({ continuedIn: { executionName: `${SLUG}-g1-teardown-part2` } });
      expect(item()).toEqual(after);
      expect(deps.recorded.started.at(-1)).toEqual(started);
    });

    it('is refused before deletion has begun, writing nothing and starting nothing', async () => {
      await reach('retained');
      const before = item();
      const starts = deps.recorded.started.length;

      await expect(recordTenantState({ transition: 'continued', tenant: await teardownTenant(), carried: carried('{}', 0) }, deps)).rejects.toThrow(TenantRunSupersededError);
      expect(item()).toEqual(before);
      expect(deps.recorded.started).toHaveLength(starts);
    });
  });

  describe('a teardown that keeps the emptied bucket (keepEmptyBucketAfterTeardownDays)', () => {
    const BUCKET = 'fusion-rms-acme-bistro-42';
    const until = at(60 * 24 * 30).toISOString();
    const keeperName = `${SLUG}-g1-teardown-part2`;

    async function keeping(): Promise<TenantRef> {
      await reach('deleting');
      const tenant = await teardownTenant();
      const result = await recordTenantState({ transition: 'deleted', tenant, deletedBucket: { kept: { bucketName: BUCKET, until } } }, deps);
      expect(result).toEqual({ recorded: true, state: 'deleted', generation: 1 });
      return tenant;
    }

    it('records the tenant deleted with the kept bucket, and starts the last part, which waits for it and then deletes it', async () => {
      const tenant = await keeping();

      expect(item()).toMatchObject({ state: 'deleted', keptBucket: { name: BUCKET, until }, teardown: { name: keeperName, part: 2, earlierParts: [{ name: `${SLUG}-g1-teardown` }] } });
      expect(item().history.at(-1)?.reason).toBe(`everything of the tenant is deleted but its emptied bucket ${BUCKET}, kept locked down until ${until} by ${keeperName}`);
      expect(deps.recorded.started.at(-1)).toMatchObject({ workflow: 'teardown', name: keeperName, input: { keep: { bucketName: BUCKET, until }, settleSeconds: 0 } });
      expect(table.liveTenants()).toBe(0);
      // The first part's step, repeated, starts the keeper again and changes nothing.
      const after = item();
      await expect(recordTenantState({ transition: 'deleted', tenant, deletedBucket: { kept: { bucketName: BUCKET, until } } }, deps)).resolves.toMatchObject({ recorded: true });
      expect(item()).toEqual(after);
      expect(deps.recorded.started.at(-1)?.name).toBe(keeperName);

      const plan = await prepareTeardown({ event: startOf(keeperName).input, execution: execution(keeperName) }, { config });
      expect(plan.keep).toEqual({ bucketName: BUCKET, until });
      await expect(recordTenantState({ transition: 'confirm', workflow: 'teardown', tenant: plan.tenant }, deps)).resolves.toMatchObject({ recorded: true });
      clock.now = at(60 * 24 * 30);
      await recordTenantState({ transition: 'kept-bucket-deleting', tenant: plan.tenant }, deps);
      expect(item().keptBucket).toEqual({ name: BUCKET, until, deletingSince: at(60 * 24 * 30).toISOString() });
      await recordTenantState({ transition: 'kept-bucket-deleted', tenant: plan.tenant }, deps);
      expect(item()).toMatchObject({ state: 'deleted' });
      expect(item().keptBucket).toBeUndefined();
    });

    it('lets the org sign up again while its bucket is kept: the new generation adopts it, the ledger forgets it and stops the keeper, which can then delete nothing', async () => {
      await keeping();
      const keeper = await prepareTeardown({ event: startOf(keeperName).input, execution: execution(keeperName) }, { config });
      clock.now = at(60 * 24);

      const again = await applyLifecycle({ ...created, eventTime: at(60 * 24).toISOString(), eventId: 'created-3' } as LifecycleRequest, deps);

      expect(again).toMatchObject({ action: 'started', workflow: 'provision', executionName: `${SLUG}-g2-provision` });
      expect(item().keptBucket).toBeUndefined();
      expect(deps.recorded.stopped).toContainEqual(expect.objectContaining({ workflow: 'teardown', name: keeperName, cause: expect.stringContaining(`adopts the bucket ${BUCKET}`) }));
      await expect(recordTenantState({ transition: 'kept-bucket-deleting', tenant: keeper.tenant }, deps)).rejects.toThrow(TenantRunSupersededError);
    });

    it('refuses OrgCreated while the kept bucket is being deleted, and accepts it once that is done', async () => {
      await keeping();
      const keeper = await prepareTeardown({ event: startOf(keeperName).input, execution: execution(keeperName) }, { config });
      clock.now = at(60 * 24 * 30);
      await recordTenantState({ transition: 'kept-bucket-deleting', tenant: keeper.tenant }, deps);
      const before = item();

      const refused = await applyLifecycle({ ...created, eventTime: at(60 * 24 * 30).toISOString(), eventId: 'created-3' } as LifecycleRequest, deps);

      expect(refused).toMatchObject({ action: 'rejected', error: 'TeardownInProgressError', reason: expect.stringContaining(`is deleting the bucket it kept (${BUCKET}`) });
      expect(item()).toMatchObject({ state: 'deleted', keptBucket: before.keptBucket });
      await recordTenantState({ transition: 'kept-bucket-deleted', tenant: keeper.tenant }, deps);
      await expect(applyLifecycle({ ...created, eventTime: at(60 * 24 * 30 + 1).toISOString(), eventId: 'created-4' } as LifecycleRequest, deps)).resolves.toMatchObject({ action: 'started' });
    });
  });

  it('refuses deletion when a restore took the tenant over during the retention wait, writing nothing', async () => {
    await reach('restoring');
    const tenant = await teardownTenant();
    const before = item();

    await expect(recordTenantState({ transition: 'deletion-started', tenant }, deps)).rejects.toThrow(TenantRunSupersededError);
    expect(item()).toEqual(before);
    expect(before.state).toBe('restoring');
  });

  it('refuses a teardown step out of order (deleted before deletion began)', async () => {
    await reach('retained');

    await expect(recordTenantState({ transition: 'deleted', tenant: await teardownTenant() }, deps)).rejects.toThrow(TenantRunSupersededError);
    expect(item().state).toBe('retained');
  });

  it('records a restore: active again, returning the OrgProvisioned detail the ledger kept', async () => {
    await reach('restoring');
    const provisioned = item().provisioned;

    const result = await recordTenantState({ transition: 'restored', tenant: restoreTenant() }, deps);

    expect(result).toEqual({ recorded: true, state: 'active', generation: 1, provisioned });
    expect(provisioned).toMatchObject({ executionName: `${SLUG}-g1-provision` });
    expect(item().history.at(-1)).toMatchObject({ from: 'restoring', to: 'active', by: `workflow ${SLUG}-g1-restore` });
  });

  it('accepts the step of a parked run that was redriven, and clears the parking', async () => {
    await reach('provisioning');
    const run = item().provision;
    await applyLifecycle(
      { kind: 'run-ended', slug: SLUG, executionArn: run?.arn ?? '', executionName: run?.name ?? '', status: 'FAILED', error: 'SlowDown', by: 'test' },
      deps,
    );
    expect(item()).toMatchObject({ state: 'parked', parked: { from: 'provisioning' } });

    await expect(recordTenantState(provisionedInput(await provisioningTenant()), deps)).resolves.toMatchObject({ recorded: true, state: 'active' });
    expect(item()).not.toHaveProperty('parked');
  });

  describe('confirm (each run\'s first ledger step)', () => {
    it('confirms the current provisioning without writing anything', async () => {
      await reach('provisioning');
      const before = item();
      dynamoMock.resetHistory();

      const result = await recordTenantState({ transition: 'confirm', workflow: 'provision', tenant: await provisioningTenant() }, deps);

      expect(result).toEqual({ recorded: true, state: 'provisioning', generation: 1 });
      expect(item()).toEqual(before);
      expect(dynamoMock).toHaveReceivedCommandTimes(PutItemCommand, 0);
      expect(dynamoMock).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
    });

    it('stops again the run a teardown superseded (the router\'s stop may have been lost), and a provisioning stops nothing', async () => {
      await reach('provisioning');
      await recordTenantState({ transition: 'confirm', workflow: 'provision', tenant: await provisioningTenant() }, deps);
      expect(deps.recorded.stopped).toEqual([]);
      await applyLifecycle(deleted(), deps);
      deps.recorded.stopped.length = 0;

      await recordTenantState({ transition: 'confirm', workflow: 'teardown', tenant: await teardownTenant() }, deps);

      expect(deps.recorded.stopped).toEqual([{ workflow: 'provision', name: `${SLUG}-g1-provision`, error: 'OrgDeleted', cause: expect.stringContaining(`${SLUG}-g1-teardown`) }]);
      expect(item().state).toBe('revoking');
    });

    it('refuses a provisioning the ledger moved past before it started (OrgDeleted handled at the same moment)', async () => {
      await reach('provisioning');
      const tenant = await provisioningTenant();
      await applyLifecycle(deleted(), deps);

      await expect(recordTenantState({ transition: 'confirm', workflow: 'provision', tenant }, deps)).rejects.toThrow(TenantRunSupersededError);
    });

    it('refuses a run the ledger did not start (an execution started without a run id), writing nothing', async () => {
      await reach('provisioning');
      const before = item();
      const tenant = await validateOrg({ event: { orgId: SAMPLE_ORG_ID }, execution: execution('org-acme-bistro-42') }, { config });

      await expect(recordTenantState({ transition: 'confirm', workflow: 'provision', tenant }, deps)).rejects.toThrow(TenantRunSupersededError);
      expect(item()).toEqual(before);
    });

    it.each<[string, Record<string, unknown>]>([
      ['no run id', { orgId: SAMPLE_ORG_ID }],
      ['no orgId', { runId: `${SLUG}-g1-restore.0123456789ab` }],
      ['an invalid orgId', { orgId: '../x', runId: `${SLUG}-g1-restore.0123456789ab` }],
    ])('refuses a restore input with %s without reading the ledger', async (_label, fields) => {
      const result = recordTenantState({ transition: 'confirm', workflow: 'restore', ...fields }, deps);

      await expect(result).rejects.toThrow(TenantRunSupersededError);
      await expect(result).rejects.toThrow('the tenant ledger did not start it');
      expect(dynamoMock.calls()).toHaveLength(0);
    });

    it("confirms a restore from its input's orgId and runId, and refuses it once an OrgDeleted took over", async () => {
      await reach('restoring');
      const { orgId, runId } = startOf(`${SLUG}-g1-restore`).input as { orgId: string; runId: string };

      await expect(recordTenantState({ transition: 'confirm', workflow: 'restore', orgId, runId }, deps)).resolves.toMatchObject({ recorded: true, state: 'restoring' });

      await applyLifecycle({ ...deleted(), eventTime: at(30).toISOString(), eventId: 'deleted-2' } as LifecycleRequest, deps);
      await expect(recordTenantState({ transition: 'confirm', workflow: 'restore', orgId, runId }, deps)).rejects.toThrow(TenantRunSupersededError);
    });

    it('confirms a teardown redriven after its retention wait (retained), and refuses it once a restore took over', async () => {
      await reach('retained');
      const tenant = await teardownTenant();

      await expect(recordTenantState({ transition: 'confirm', workflow: 'teardown', tenant }, deps)).resolves.toMatchObject({ recorded: true, state: 'retained' });

      await applyLifecycle(createdAgain, deps);
      await expect(recordTenantState({ transition: 'confirm', workflow: 'teardown', tenant }, deps)).rejects.toThrow(TenantRunSupersededError);
    });
  });

  it('answers a step a redriven run takes again from the ledger, and un-parks the tenant', async () => {
    await reach('retained');
    const run = item().teardown;
    await applyLifecycle({ kind: 'run-ended', slug: SLUG, executionArn: run?.arn ?? '', executionName: run?.name ?? '', status: 'FAILED', error: 'States.Timeout', by: 'test' }, deps);
    expect(item()).toMatchObject({ state: 'parked', parked: { from: 'retained' } });
    const retainedUntil = item().teardown?.retainedUntil;
    clock.now = at(40);

    const result = await recordTenantState({ transition: 'revoked', tenant: await teardownTenant(), revoked: revocation([]) }, deps);

    expect(result).toMatchObject({ recorded: true, state: 'retained' });
    expect(item()).not.toHaveProperty('parked');
    // The retention still counts from the first revocation, with the keys it deactivated.
    expect(item().teardown).toMatchObject({ retainedUntil, keysDeactivated: ['AKIAOLDKEY0000000001'] });
  });

  it('rethrows a DynamoDB error untouched (the ASL retries it)', async () => {
    await reach('provisioning');
    const tenant = await provisioningTenant();
    const throttled = new ProvisionedThroughputExceededException({ $metadata: {}, message: 'Throughput exceeds the current capacity' });
    dynamoMock.on(PutItemCommand).rejectsOnce(throttled);

    await expect(recordTenantState(provisionedInput(tenant), deps)).rejects.toBe(throttled);
    expect(item().state).toBe('provisioning');
  });

  it('runs through the Lambda handler with the module DynamoDB client and the stage table', async () => {
    await reach('provisioning');
    const tenant = await provisioningTenant();

    const result = await handler(provisionedInput(tenant), fakeLambdaContext('tenant-provisioner-test-recordTenantState'));

    expect(result).toMatchObject({ recorded: true, state: 'active', provisioned: { executionName: `${SLUG}-g1-provision` } });
    expect(item().state).toBe('active');
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, { TableName: 'tenant-provisioner-test-tenants' });
  });
});
