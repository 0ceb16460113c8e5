/**
 * The router's wiring: events in, ledger writes and Step Functions / EventBridge calls out. What
 * each event does in each state is the lifecycle's decision table
 * (test/unit/functions/lib/ledger/lifecycle.test.ts); here the ledger is the in-memory store, and
 * Step Functions and EventBridge are SDK mocks.
 */
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, SFNServiceException, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { loadConfig } from '../../../functions/lib/config';
import { assertOrgProvisioningFailedDetail } from '../../../functions/lib/events';
import { SfnExecutionPort } from '../../../functions/lib/executions';
import { MemoryLedgerStore } from '../../../functions/lib/ledger/store';
import createdSample from '../../../events/samples/org-created.json';
import deletedSample from '../../../events/samples/org-deleted.json';
import { handler } from '../../../functions/lambda/route-org-event';
import { routeOrgEvent } from '../../../functions/route-org-event';
import { INVALID_ORG_IDS } from '../../support/fixtures';
import { mockedEventBridge } from '../../support/mocked-clients';

const MACHINE = (workflow: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-test-${workflow}-tenant`;
const sfnMock = mockClient(SFNClient);
const { eventBridgeMock, eventBridge } = mockedEventBridge();
const dynamodbMock = mockClient(DynamoDBClient);
const config = loadConfig();
const executions = new SfnExecutionPort(new SFNClient({}), { provision: MACHINE('provision'), teardown: MACHINE('teardown'), restore: MACHINE('restore') });
const now = () => new Date('2026-11-23T09:00:01.000Z');
const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
let ledger: MemoryLedgerStore;
beforeEach(() => {
  sfnMock.reset();
  dynamodbMock.reset();
  jest.clearAllMocks();
  ledger = new MemoryLedgerStore();
  sfnMock.on(StartExecutionCommand).callsFake(startedExecution);
  sfnMock.on(StopExecutionCommand).resolves({ stopDate: now() });
});

const startedExecution = (input: { stateMachineArn: string; name: string }) => ({
  executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
  startDate: now(),
});

const deps = (overrides: Partial<Parameters<typeof routeOrgEvent>[1]> = {}) => ({ ledger, executions, eventBridge, config, logger, now, newRunId: (name: string) => `${name}.r1`, ...overrides });

function event(sample: typeof createdSample | typeof deletedSample, detail: unknown, extra: Partial<EventBridgeEvent<string, unknown>> = {}): EventBridgeEvent<string, unknown> {
  return { ...sample, detail, ...extra };
}

const created = (detail: unknown = createdSample.detail, extra: Partial<EventBridgeEvent<string, unknown>> = {}) => event(createdSample, detail, extra);
const deleted = (detail: unknown = deletedSample.detail, extra: Partial<EventBridgeEvent<string, unknown>> = {}) => event(deletedSample, detail, extra);

function starts() {
  return sfnMock.commandCalls(StartExecutionCommand).map((call) => {
    const { stateMachineArn, name, input } = call.args[0].input;
    return { stateMachineArn, name, input: JSON.parse(input ?? 'null') };
  });
}

function putEntries() {
  return eventBridgeMock.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

describe('routeOrgEvent', () => {
  it('starts <slug>-g1-provision for a new org, with the run id the ledger recorded before the start', async () => {
    const result = await routeOrgEvent(created(), deps());

    expect(result).toMatchObject({ action: 'started', slug: 'acme-bistro-42', state: 'provisioning', generation: 1, workflow: 'provision', executionName: 'acme-bistro-42-g1-provision' });
    expect(starts()).toEqual([
      {
        stateMachineArn: MACHINE('provision'),
        name: 'acme-bistro-42-g1-provision',
        input: { orgId: 'Acme-Bistro-42', orgName: 'Acme Bistro', region: 'us-east-1', generation: 1, runId: 'acme-bistro-42-g1-provision.r1' },
      },
    ]);
    const item = await ledger.get('acme-bistro-42');
    expect(item).toMatchObject({ state: 'provisioning', lastCreatedAt: '2026-11-23T09:00:00.000Z', provision: { arn: `${MACHINE('provision').replace(':stateMachine:', ':execution:')}:acme-bistro-42-g1-provision` } });
    expect(await ledger.liveTenants()).toBe(1);
  });

  it('stops a running provisioning before it starts the teardown, in the region the ledger recorded', async () => {
    await routeOrgEvent(created({ orgId: 'Acme-Bistro-42', region: 'eu-west-1' }), deps());
    sfnMock.resetHistory();

    const result = await routeOrgEvent(deleted({ orgId: 'Acme-Bistro-42' }), deps());

    expect(result).toMatchObject({ action: 'started', workflow: 'teardown', executionName: 'acme-bistro-42-g1-teardown', stopped: { workflow: 'provision', name: 'acme-bistro-42-g1-provision' } });
    expect(sfnMock.calls().map((call) => (call.args[0] as object).constructor.name)).toEqual(['StopExecutionCommand', 'StartExecutionCommand']);
    expect(sfnMock).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: expect.stringMatching(/:acme-bistro-42-g1-provision$/), error: 'OrgDeleted' });
    // A generation that never became active keeps nothing: no retention wait.
    expect(starts()[0]?.input).toMatchObject({ region: 'eu-west-1', settleSeconds: 60, retentionDays: 0, generation: 1 });
  });

  it('re-emits the recorded OrgProvisioned for an OrgCreated of an active tenant, and starts nothing', async () => {
    await routeOrgEvent(created(), deps());
    const item = await ledger.get('acme-bistro-42');
    const detail = { orgId: 'Acme-Bistro-42', executionName: 'acme-bistro-42-g1-provision', provisionedAt: '2026-11-23T09:00:05.000Z' };
    await ledger.write({ ...(item as NonNullable<typeof item>), state: 'active', provisioned: detail as never, version: 2 }, 1, 0, 5000);
    sfnMock.resetHistory();

    const result = await routeOrgEvent(created(), deps());

    expect(result).toMatchObject({ action: 'reprovisioned-event', state: 'active' });
    expect(sfnMock.calls()).toHaveLength(0);
    expect(putEntries()).toEqual([expect.objectContaining({ DetailType: 'OrgProvisioned', Detail: JSON.stringify(detail) })]);
  });

  it.each(INVALID_ORG_IDS)('rejects OrgCreated with orgId %s: reported as OrgProvisioningFailed, nothing recorded or started', async (_label, orgId) => {
    const result = await routeOrgEvent(created({ orgId }), deps());

    expect(result).toMatchObject({ action: 'rejected', error: 'InvalidOrgIdError', reason: expect.stringMatching(/^Invalid OrgCreated: orgId/) });
    expect(sfnMock.calls()).toHaveLength(0);
    const [entry] = putEntries();
    const detail = JSON.parse(entry?.Detail ?? '{}');
    expect(entry?.DetailType).toBe('OrgProvisioningFailed');
    expect(detail).toMatchObject({ stage: 'router', error: 'InvalidOrgIdError', sourceEventId: createdSample.id });
    expect(() => assertOrgProvisioningFailedDetail(detail)).not.toThrow();
    for await (const item of ledger.list()) throw new Error(`recorded ${item.slug}`);
  });

  it('rejects a region the stage does not allow, for OrgCreated and OrgDeleted alike', async () => {
    for (const routed of [created({ orgId: 'Acme-Bistro-42', region: 'ap-south-1' }), deleted({ orgId: 'Acme-Bistro-42', region: 'ap-south-1' })]) {
      const result = await routeOrgEvent(routed, deps());
      expect(result).toMatchObject({ action: 'rejected', error: 'InvalidEventError', reason: expect.stringContaining('region "ap-south-1" is not allowed') });
    }
    expect(sfnMock.calls()).toHaveLength(0);
    expect(await ledger.get('acme-bistro-42')).toBeUndefined();
  });

  it('orders events by their time: an OrgCreated put before the OrgDeleted that arrived first starts nothing', async () => {
    await routeOrgEvent(deleted({ orgId: 'Acme-Bistro-42' }, { time: '2026-11-23T09:00:05Z' }), deps());
    const late = await routeOrgEvent(created(createdSample.detail, { time: '2026-11-23T09:00:04Z' }), deps());

    expect(late).toMatchObject({ action: 'stale', state: 'deleted', generation: 0 });
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    expect(logger.warn).toHaveBeenCalledWith('OrgCreated: stale', expect.objectContaining({ metric: 'StaleEvent' }));
  });

  it('uses the time it received an event that carries none', async () => {
    const { time: _time, ...untimed } = created();
    await routeOrgEvent(untimed as EventBridgeEvent<string, unknown>, deps());
    expect((await ledger.get('acme-bistro-42'))?.lastCreatedAt).toBe(now().toISOString());
  });

  it('repairs a crash between its ledger write and StartExecution when the event is retried', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejectsOnce(new SFNServiceException({ $metadata: {}, name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded' }))
      .callsFake(startedExecution);
    await expect(routeOrgEvent(created(), deps())).rejects.toThrow('Rate exceeded');
    expect((await ledger.get('acme-bistro-42'))?.state).toBe('provisioning');

    const retried = await routeOrgEvent(created(), deps({ newRunId: () => 'another-run-id' }));

    expect(retried).toMatchObject({ action: 'duplicate', executionName: 'acme-bistro-42-g1-provision' });
    const [first, second] = starts();
    expect(second).toEqual(first);
    expect(second?.input.runId).toBe('acme-bistro-42-g1-provision.r1');
  });

  it('refuses OrgCreated at the tenant quota, before anything is created, and says so', async () => {
    const result = await routeOrgEvent(created(), deps({ config: { ...config, tenantQuota: 0 } }));

    expect(result).toMatchObject({ action: 'rejected', error: 'TenantQuotaExceededError' });
    expect(sfnMock.calls()).toHaveLength(0);
    expect(await ledger.get('acme-bistro-42')).toBeUndefined();
    expect(JSON.parse(putEntries()[0]?.Detail ?? '{}')).toMatchObject({ stage: 'router', error: 'TenantQuotaExceededError', reason: expect.stringContaining('0 tenants are live') });
  });

  it('of two events handled at once, lets exactly one write win and decides the other again', async () => {
    const results = await Promise.all([routeOrgEvent(created(), deps()), routeOrgEvent(deleted({ orgId: 'Acme-Bistro-42' }, { time: '2026-11-23T09:10:00Z' }), deps())]);

    const item = await ledger.get('acme-bistro-42');
    // Whichever came first, the later OrgDeleted wins: the tenant is being torn down (or was never made).
    expect(['revoking', 'deleted']).toContain(item?.state);
    expect(results.map((r) => r.action).sort()).toEqual(item?.state === 'revoking' ? ['started', 'started'] : ['acknowledged', 'stale']);
    expect(item?.history.map((h) => h.to)).toEqual(item?.state === 'revoking' ? ['provisioning', 'revoking'] : ['deleted']);
  });

  it('rejects any other detail-type without recording, starting or publishing anything', async () => {
    const result = await routeOrgEvent({ ...createdSample, 'detail-type': 'OrgRenamed' }, deps());

    expect(result).toMatchObject({ action: 'rejected', reason: expect.stringMatching(/Unsupported detail-type "OrgRenamed"/) });
    expect(sfnMock.calls()).toHaveLength(0);
    expect(eventBridgeMock.calls()).toHaveLength(0);
  });

  it('works through the Lambda handler on the configured table and state machines', async () => {
    dynamodbMock.on(GetItemCommand).resolves({});
    dynamodbMock.on(TransactWriteItemsCommand).resolves({});
    dynamodbMock.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ $metadata: {}, message: 'unexpected' }));
    const fakeContext = { functionName: 'routeOrgEvent', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

    const result = await handler(created(), fakeContext);

    expect(result).toMatchObject({ action: 'started', executionName: 'acme-bistro-42-g1-provision' });
    expect(dynamodbMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: 'tenant-provisioner-test-tenants', ConsistentRead: true });
    expect(dynamodbMock).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: MACHINE('provision'), name: 'acme-bistro-42-g1-provision' });
  });
});
