import { DynamoDBClient, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { loadConfig } from '../../../functions/lib/config';
import type { ExecutionStatus } from '../../../functions/lib/executions';
import { applyLifecycle, type LifecycleDeps } from '../../../functions/lib/ledger/apply';
import { DynamoLedgerStore } from '../../../functions/lib/ledger/dynamo-store';
import { STOPPED_AS_SUPERSEDED_ERROR, type LifecycleRequest } from '../../../functions/lib/ledger/lifecycle';
import type { TenantLedgerItem } from '../../../functions/lib/ledger/model';
import { handler } from '../../../functions/lambda/track-execution-status';
import { statusChangeOf, trackExecutionStatus, type ExecutionStatusChange } from '../../../functions/track-execution-status';
import { FakeLedgerTable } from '../../support/fake-aws';
import { sampleLifecycleDeps, SAMPLE_ORG_ID, type RecordedExecutions } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';

const dynamoMock = mockClient(DynamoDBClient);
const sfnMock = mockClient(SFNClient);
const config = loadConfig();
const SLUG = 'acme-bistro-42';
const PROVISION = `${SLUG}-g1-provision`;
const TEARDOWN = `${SLUG}-g1-teardown`;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');

let table: FakeLedgerTable;
let clock: { now: Date };
let deps: LifecycleDeps & { executions: RecordedExecutions['port']; recorded: RecordedExecutions };

const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const created: LifecycleRequest = { kind: 'OrgCreated', orgId: SAMPLE_ORG_ID, eventTime: at(0).toISOString(), eventId: 'created-1' };
const deleted: LifecycleRequest = { kind: 'OrgDeleted', orgId: SAMPLE_ORG_ID, eventTime: at(10).toISOString(), eventId: 'deleted-1' };

const item = (): TenantLedgerItem => table.get(SLUG) as TenantLedgerItem;
const arnOf = (workflow: 'provision' | 'teardown', name: string) => deps.executions.executionArn(workflow, name);
const change = (workflow: 'provision' | 'teardown', name: string, fields: Partial<ExecutionStatusChange>): ExecutionStatusChange => ({
  executionArn: arnOf(workflow, name),
  name,
  status: 'FAILED',
  ...fields,
});
/** Step Functions has the execution in `status` now (what DescribeExecution answers). */
const nowIs = (name: string, status: ExecutionStatus) => deps.recorded.statuses.set(name, status);
const writes = () => dynamoMock.commandCalls(PutItemCommand).length + dynamoMock.commandCalls(TransactWriteItemsCommand).length;

beforeEach(async () => {
  dynamoMock.reset();
  sfnMock.reset();
  table = new FakeLedgerTable(config.tenantLedgerTable).serve(dynamoMock);
  clock = { now: at(1) };
  deps = sampleLifecycleDeps(new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable), clock);
  await applyLifecycle(created, deps);
  dynamoMock.resetHistory();
});

describe('trackExecutionStatus', () => {
  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)('parks the tenant when its current run ends %s, with what an operator needs to redrive it', async (status) => {
    clock.now = at(5);
    nowIs(PROVISION, status);

    const result = await trackExecutionStatus(change('provision', PROVISION, { status, error: 'SlowDown', cause: 'Please reduce your request rate.' }), deps);

    expect(result).toMatchObject({ action: 'recorded', state: 'parked', executionName: PROVISION });
    expect(item()).toMatchObject({
      state: 'parked',
      parked: { workflow: 'provision', from: 'provisioning', executionName: PROVISION, executionArn: arnOf('provision', PROVISION), status, error: 'SlowDown', cause: 'Please reduce your request rate.', at: at(5).toISOString() },
    });
    expect(item().history.at(-1)).toMatchObject({ from: 'provisioning', to: 'parked', by: `Step Functions: ${PROVISION} ${status}` });
    expect(dynamoMock).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(deps.recorded.stopped).toEqual([]);
  });

  it('ignores a repeated status event: the tenant is parked already', async () => {
    nowIs(PROVISION, 'FAILED');
    await trackExecutionStatus(change('provision', PROVISION, { error: 'SlowDown' }), deps);
    const parked = item();
    dynamoMock.resetHistory();

    const again = await trackExecutionStatus(change('provision', PROVISION, { error: 'SlowDown' }), deps);

    expect(again).toMatchObject({ action: 'ignored' });
    expect(item()).toEqual(parked);
    expect(writes()).toBe(0);
  });

  it('ignores the end of a run the tenant no longer waits on (the provisioning OrgDeleted stopped)', async () => {
    await applyLifecycle(deleted, deps);
    const before = item();
    dynamoMock.resetHistory();

    const result = await trackExecutionStatus(change('provision', PROVISION, { status: 'ABORTED', error: 'OrgDeleted' }), deps);

    expect(result).toMatchObject({ action: 'ignored', state: 'revoking' });
    expect(item()).toEqual(before);
    expect(writes()).toBe(0);
  });

  it("ignores a run with the current run's name but another ARN (another stage's state machine)", async () => {
    const otherStage = { ...change('provision', PROVISION, {}), executionArn: `arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-prod-provision-tenant:${PROVISION}` };
    // Even when this stage's execution of that name has failed too: only the ARN the ledger recorded counts.
    nowIs(PROVISION, 'FAILED');

    await expect(trackExecutionStatus(otherStage, deps)).resolves.toMatchObject({ action: 'ignored' });
    expect(item().state).toBe('provisioning');
    expect(writes()).toBe(0);
  });

  it('ignores a FAILED event that arrives after the run was redriven (Step Functions says RUNNING now)', async () => {
    nowIs(PROVISION, 'RUNNING');

    const result = await trackExecutionStatus(change('provision', PROVISION, { error: 'SlowDown' }), deps);

    expect(result).toBeUndefined();
    expect(item().state).toBe('provisioning');
    expect(dynamoMock.calls()).toHaveLength(0);
  });

  it('ignores a redrive event that arrives after the redriven run failed again (Step Functions says FAILED now)', async () => {
    nowIs(PROVISION, 'FAILED');
    await trackExecutionStatus(change('provision', PROVISION, { error: 'SlowDown' }), deps);
    const parked = item();
    dynamoMock.resetHistory();

    const result = await trackExecutionStatus(change('provision', PROVISION, { status: 'RUNNING', redriveCount: 1 }), deps);

    expect(result).toBeUndefined();
    expect(item()).toEqual(parked);
    expect(dynamoMock.calls()).toHaveLength(0);
    expect(deps.recorded.stopped).toEqual([]);
  });

  it('ignores a redrive event of a run Step Functions no longer knows (closed over 90 days ago): it cannot be running', async () => {
    nowIs(PROVISION, 'FAILED');
    await trackExecutionStatus(change('provision', PROVISION, { error: 'SlowDown' }), deps);
    const parked = item();
    deps.recorded.statuses.delete(PROVISION);
    expect(await deps.executions.describe('provision', PROVISION)).toBeUndefined();
    dynamoMock.resetHistory();

    const result = await trackExecutionStatus(change('provision', PROVISION, { status: 'RUNNING', redriveCount: 1 }), deps);

    expect(result).toBeUndefined();
    expect(item()).toEqual(parked);
    expect(dynamoMock.calls()).toHaveLength(0);
  });

  it.each([
    ['SUCCEEDED', {}],
    ['RUNNING without a redrive', { status: 'RUNNING' as const }],
    ['RUNNING with redriveCount 0', { status: 'RUNNING' as const, redriveCount: 0 }],
  ])('does nothing for %s (the run reaches its own ledger step)', async (_label, fields) => {
    const result = await trackExecutionStatus(change('provision', PROVISION, { status: 'SUCCEEDED', ...fields }), deps);

    expect(result).toBeUndefined();
    expect(dynamoMock.calls()).toHaveLength(0);
  });

  it('returns a parked tenant to the state it was in when its run is redriven, and stops nothing', async () => {
    nowIs(PROVISION, 'FAILED');
    await trackExecutionStatus(change('provision', PROVISION, { error: 'SlowDown' }), deps);
    nowIs(PROVISION, 'RUNNING');

    const result = await trackExecutionStatus(change('provision', PROVISION, { status: 'RUNNING', redriveCount: 1 }), deps);

    expect(result).toMatchObject({ action: 'recorded', state: 'provisioning' });
    expect(item().state).toBe('provisioning');
    expect(item()).not.toHaveProperty('parked');
    expect(item().history.at(-1)).toMatchObject({ from: 'parked', to: 'provisioning', by: `Step Functions: ${PROVISION} redriven (1)` });
    expect(deps.recorded.stopped).toEqual([]);
  });

  it('stops at once a redriven run the ledger has moved past, so it cannot undo what came after', async () => {
    nowIs(PROVISION, 'FAILED');
    await trackExecutionStatus(change('provision', PROVISION, { error: 'SlowDown' }), deps);
    await applyLifecycle({ ...deleted, eventTime: at(20).toISOString() } as LifecycleRequest, deps);
    nowIs(PROVISION, 'RUNNING');
    const before = item();
    expect(before).toMatchObject({ state: 'revoking', teardown: { name: TEARDOWN } });

    const result = await trackExecutionStatus(change('provision', PROVISION, { status: 'RUNNING', redriveCount: 1 }), deps);

    expect(result).toMatchObject({ action: 'superseded', reason: expect.stringContaining(`${PROVISION} is no longer tenant ${SLUG}'s current run`) });
    expect(deps.recorded.stopped).toEqual([{ workflow: 'provision', name: PROVISION, error: STOPPED_AS_SUPERSEDED_ERROR, cause: expect.stringContaining(PROVISION) }]);
    expect(item()).toEqual(before);
  });

  it.each(['org-acme-bistro-42', 'org-acme-bistro-42-g2', 'nightly-report', 'acme-bistro-42-g0-provision', 'acme-bistro-42-g1-provision-1', 'Acme-Bistro-42-g1-provision'])(
    'ignores an execution whose name the ledger did not give (%s), without reading the ledger',
    async (name) => {
      const result = await trackExecutionStatus(change('provision', name, { error: 'States.TaskFailed' }), deps);

      expect(result).toBeUndefined();
      expect(dynamoMock.calls()).toHaveLength(0);
      expect(item().state).toBe('provisioning');
    },
  );

  it('ignores a status event for a tenant the ledger has no item for', async () => {
    const result = await trackExecutionStatus(change('provision', 'other-org-g1-provision', {}), deps);

    expect(result).toMatchObject({ action: 'ignored', slug: 'other-org' });
    expect(writes()).toBe(0);
  });
});

describe('statusChangeOf', () => {
  const arn = `arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-test-provision-tenant:${PROVISION}`;

  it('reads the executionArn, name, status, error, cause and redriveCount of a Step Functions status change', () => {
    expect(statusChangeOf({ executionArn: arn, name: PROVISION, status: 'FAILED', error: 'States.TaskFailed', cause: 'boom', redriveCount: 0, stateMachineArn: 'x' } as never)).toEqual({
      executionArn: arn,
      name: PROVISION,
      status: 'FAILED',
      error: 'States.TaskFailed',
      cause: 'boom',
      redriveCount: 0,
    });
  });

  it('leaves out an error, cause or redriveCount that Step Functions sent as null or not at all', () => {
    const parsed = statusChangeOf({ executionArn: arn, name: PROVISION, status: 'RUNNING', error: null, cause: null, redriveCount: '2' });

    expect(parsed).toEqual({ executionArn: arn, name: PROVISION, status: 'RUNNING' });
  });

  it.each([
    ['no executionArn', { name: PROVISION, status: 'FAILED' }],
    ['no name', { executionArn: arn, status: 'FAILED' }],
    ['no status', { executionArn: arn, name: PROVISION }],
    ['a status that is not a string', { executionArn: arn, name: PROVISION, status: 3 }],
  ])('throws for a detail with %s', (_label, detail) => {
    expect(() => statusChangeOf(detail)).toThrow('The Step Functions status change event has no executionArn, name or status');
  });
});

describe('track-execution-status handler', () => {
  const event = (detail: Record<string, unknown>): EventBridgeEvent<'Step Functions Execution Status Change', Record<string, unknown>> => ({
    version: '0',
    id: 'evt-1',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: at(30).toISOString(),
    region: 'us-east-1',
    resources: [String(detail.executionArn)],
    detail,
  });

  it('parks the tenant from an EventBridge status change, against the stage table', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: arnOf('provision', PROVISION), name: PROVISION, status: 'FAILED', stateMachineArn: 'x', startDate: at(0) });

    const result = await handler(event({ ...change('provision', PROVISION, { error: 'SlowDown', cause: 'x' }), redriveCount: 0 }), fakeLambdaContext('tenant-provisioner-test-trackExecutionStatus'));

    expect(result).toMatchObject({ action: 'recorded', state: 'parked' });
    expect(item().state).toBe('parked');
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, { TableName: 'tenant-provisioner-test-tenants' });
  });

  it("stops a superseded redriven run with StopExecution on the stage's state machine", async () => {
    nowIs(PROVISION, 'FAILED');
    await trackExecutionStatus(change('provision', PROVISION, { error: 'SlowDown' }), deps);
    await applyLifecycle({ ...deleted, eventTime: at(20).toISOString() } as LifecycleRequest, deps);
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: arnOf('provision', PROVISION), name: PROVISION, status: 'RUNNING', stateMachineArn: 'x', startDate: at(0), redriveCount: 1 });
    sfnMock.on(StopExecutionCommand).resolves({ stopDate: at(30) });

    await handler(event({ ...change('provision', PROVISION, { status: 'RUNNING' }), redriveCount: 1 }), fakeLambdaContext('tenant-provisioner-test-trackExecutionStatus'));

    expect(sfnMock).toHaveReceivedCommandTimes(StopExecutionCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(StopExecutionCommand, {
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-test-provision-tenant:${PROVISION}`,
      error: STOPPED_AS_SUPERSEDED_ERROR,
    });
  });
});
