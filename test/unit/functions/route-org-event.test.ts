import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  type DescribeExecutionOutput,
} from '@aws-sdk/client-sfn';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { loadConfig } from '../../../functions/lib/config';
import { EventPublishError } from '../../../functions/lib/errors';
import { assertOrgProvisioningFailedDetail } from '../../../functions/lib/events';
import { SfnExecutionPort } from '../../../functions/lib/executions';
import createdSample from '../../../events/samples/org-created.json';
import deletedSample from '../../../events/samples/org-deleted.json';
import provisionedSample from '../../../events/samples/org-provisioned.json';

type RouteModule = typeof import('../../../functions/route-org-event');

const PROVISION_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-test-provision-tenant';
const sfnMock = mockClient(SFNClient);
const eventBridgeMock = mockClient(EventBridgeClient);
const config = loadConfig();
const executions = new SfnExecutionPort(new SFNClient({}), { provision: PROVISION_ARN });
const eventBridge = new EventBridgeClient({});
const now = () => new Date('2026-11-23T09:00:01.000Z');
const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };

let route: RouteModule;
beforeAll(async () => {
  // The handler reads its state machine ARN at module load; set it before loading the module.
  process.env.PROVISION_STATE_MACHINE_ARN = PROVISION_ARN;
  route = await import('../../../functions/route-org-event');
});

function orgCreated(detail: unknown, id = createdSample.id): EventBridgeEvent<string, unknown> {
  return { ...createdSample, id, detail };
}

function arnOf(name: string): string {
  return `${PROVISION_ARN.replace(':stateMachine:', ':execution:')}:${name}`;
}

function execution(name: string, status: DescribeExecutionOutput['status'], input: object, output?: object): DescribeExecutionOutput {
  return {
    executionArn: arnOf(name),
    stateMachineArn: PROVISION_ARN,
    name,
    status,
    startDate: new Date('2026-11-23T09:00:00.000Z'),
    input: JSON.stringify(input),
    ...(output === undefined ? {} : { output: JSON.stringify(output) }),
  };
}

/** Makes `org-acme-bistro-42`, `-g2`, … exist with these statuses; every other name does not. */
function existingGenerations(...generations: { status: DescribeExecutionOutput['status']; input?: object; output?: object }[]) {
  sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ $metadata: {}, message: 'Execution Already Exists' }));
  generations.forEach((g, i) => {
    const name = i === 0 ? 'org-acme-bistro-42' : `org-acme-bistro-42-g${i + 1}`;
    sfnMock.on(DescribeExecutionCommand, { executionArn: arnOf(name) }).resolves(execution(name, g.status, g.input ?? { orgId: 'Acme-Bistro-42' }, g.output));
  });
}

function putEntries() {
  return eventBridgeMock.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

function deps() {
  return { executions, eventBridge, config, logger, now };
}

beforeEach(() => {
  sfnMock.reset();
  eventBridgeMock.reset();
  jest.clearAllMocks();
  sfnMock.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ $metadata: {}, message: 'Execution Does Not Exist' }));
  eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
});

describe('routeOrgEvent', () => {
  describe('OrgCreated', () => {
    it('starts org-<slug> with only the known fields of the detail as input', async () => {
      sfnMock.on(StartExecutionCommand).resolves({ executionArn: arnOf('org-acme-bistro-42'), startDate: new Date() });
      const detail = { ...createdSample.detail, region: 'eu-west-1', referrer: 'campaign-7' };

      const result = await route.routeOrgEvent(orgCreated(detail), deps());

      expect(result).toEqual({ action: 'started', executionName: 'org-acme-bistro-42' });
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
      expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
        stateMachineArn: PROVISION_ARN,
        name: 'org-acme-bistro-42',
        input: JSON.stringify({ orgId: 'Acme-Bistro-42', orgName: 'Acme Bistro', region: 'eu-west-1' }),
      });
      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it('acknowledges the same tenant twice while it runs as a duplicate, starting it once', async () => {
      sfnMock
        .on(StartExecutionCommand)
        .resolvesOnce({ executionArn: arnOf('org-acme-bistro-42'), startDate: new Date() })
        .rejects(new ExecutionAlreadyExists({ $metadata: {}, message: 'Execution Already Exists' }));
      sfnMock
        .on(DescribeExecutionCommand, { executionArn: arnOf('org-acme-bistro-42') })
        .resolves(execution('org-acme-bistro-42', 'RUNNING', { orgId: 'Acme-Bistro-42', orgName: 'Acme Bistro' }));

      const first = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());
      const second = await route.routeOrgEvent(orgCreated({ ...createdSample.detail, orgName: 'Acme Bistro & Bar' }, 'another-event-id'), deps());

      expect(first.action).toBe('started');
      expect(second).toEqual({ action: 'duplicate', executionName: 'org-acme-bistro-42', status: 'RUNNING' });
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it('acknowledges a duplicate of an execution awaiting redrive', async () => {
      existingGenerations({ status: 'PENDING_REDRIVE' });
      await expect(route.routeOrgEvent(orgCreated(createdSample.detail), deps())).resolves.toEqual({
        action: 'duplicate',
        executionName: 'org-acme-bistro-42',
        status: 'PENDING_REDRIVE',
      });
    });

    it('re-emits the stored OrgProvisioned when the tenant was already provisioned', async () => {
      existingGenerations({ status: 'SUCCEEDED', output: { published: { eventId: 'original-event', detail: provisionedSample.detail } } });

      const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

      expect(result).toEqual({ action: 'reprovisioned-event', executionName: 'org-acme-bistro-42', status: 'SUCCEEDED' });
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
      expect(putEntries()).toEqual([
        { Source: config.eventSource, DetailType: 'OrgProvisioned', Detail: JSON.stringify(provisionedSample.detail), EventBusName: config.eventBusName },
      ]);
    });

    it('logs an error and re-emits nothing when the succeeded execution holds no OrgProvisioned detail', async () => {
      existingGenerations({ status: 'SUCCEEDED', output: { tenant: {} } });

      const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

      expect(result).toEqual({ action: 'duplicate', executionName: 'org-acme-bistro-42', status: 'SUCCEEDED' });
      expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('output.published.detail'), expect.objectContaining({ executionName: 'org-acme-bistro-42' }));
      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)('parks a duplicate of a %s execution for operators', async (status) => {
      existingGenerations({ status });

      const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

      expect(result).toEqual({ action: 'parked', executionName: 'org-acme-bistro-42', status });
      expect(logger.warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ metric: 'DuplicateOfFailedExecution', status }));
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it('lets the latest generation decide', async () => {
      existingGenerations(
        { status: 'SUCCEEDED', output: { published: { detail: provisionedSample.detail } } },
        { status: 'RUNNING' },
      );

      const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

      expect(result).toEqual({ action: 'duplicate', executionName: 'org-acme-bistro-42-g2', status: 'RUNNING' });
      expect(sfnMock.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input.executionArn)).toEqual([
        arnOf('org-acme-bistro-42'),
        arnOf('org-acme-bistro-42-g2'),
        arnOf('org-acme-bistro-42-g3'),
      ]);
      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it('rejects an orgId that differs only in case from an existing org', async () => {
      existingGenerations({ status: 'SUCCEEDED', input: { orgId: 'ACME-BISTRO-42' }, output: { published: { detail: provisionedSample.detail } } });

      const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

      expect(result.action).toBe('rejected');
      expect(result.reason).toMatch(/"Acme-Bistro-42" collides case-insensitively with existing org "ACME-BISTRO-42"/);
      const entries = putEntries();
      expect(entries).toHaveLength(1);
      expect(entries[0]?.DetailType).toBe('OrgProvisioningFailed');
      expect(JSON.parse(entries[0]?.Detail ?? '{}')).toMatchObject({ orgId: 'Acme-Bistro-42', stage: 'router', error: 'InvalidOrgIdError', reason: result.reason });
    });

    it.each([
      ['empty', ''],
      ['too long', 'a'.repeat(41)],
      ['a wildcard', '*'],
      ['a path', '../x'],
      ['spaces', 'acme bistro'],
      ['unicode', 'café'],
      ['an underscore', 'a_b'],
    ])('rejects an orgId that is %s with OrgProvisioningFailed and starts nothing', async (_label, orgId) => {
      const result = await route.routeOrgEvent(orgCreated({ orgId }), deps());

      expect(result.action).toBe('rejected');
      expect(result.reason).toMatch(/orgId/);
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
      expect(putEntries()).toHaveLength(1);
      const entry = putEntries()[0];
      expect(entry).toMatchObject({ Source: config.eventSource, DetailType: 'OrgProvisioningFailed', EventBusName: config.eventBusName });
      const detail = JSON.parse(entry?.Detail ?? '{}');
      expect(detail).toEqual({
        orgId,
        stage: 'router',
        error: 'InvalidOrgIdError',
        reason: result.reason,
        sourceEventId: createdSample.id,
        failedAt: '2026-11-23T09:00:01.000Z',
      });
      expect(() => assertOrgProvisioningFailedDetail(detail)).not.toThrow();
    });

    it('reports a huge invalid orgId cut to 100 characters, and leaves out one that is not a string', async () => {
      await route.routeOrgEvent(orgCreated({ orgId: 'x'.repeat(5000) }), deps());
      await route.routeOrgEvent(orgCreated({ orgId: 42 }), deps());

      const [huge, numeric] = putEntries().map((entry) => JSON.parse(entry.Detail ?? '{}'));
      expect(huge.orgId).toHaveLength(100);
      expect(numeric).not.toHaveProperty('orgId');
      expect(numeric.error).toBe('InvalidOrgIdError');
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    });

    it('rejects a region the stage does not allow with InvalidEventError', async () => {
      const result = await route.routeOrgEvent(orgCreated({ orgId: 'Acme-Bistro-42', region: 'ap-south-1' }), deps());

      expect(result).toEqual({ action: 'rejected', reason: expect.stringMatching(/region "ap-south-1" is not allowed/) });
      expect(JSON.parse(putEntries()[0]?.Detail ?? '{}')).toMatchObject({ orgId: 'Acme-Bistro-42', error: 'InvalidEventError' });
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    });

    it('throws when the rejection cannot be published, so the event is retried', async () => {
      eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'retry' }] });
      await expect(route.routeOrgEvent(orgCreated({ orgId: '*' }), deps())).rejects.toThrow(EventPublishError);
    });

    it('rethrows a Step Functions error untouched, so the event is retried', async () => {
      const throttled = new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
      sfnMock.on(StartExecutionCommand).rejects(throttled);
      await expect(route.routeOrgEvent(orgCreated(createdSample.detail), deps())).rejects.toBe(throttled);
    });
  });

  it('refuses OrgDeleted with TeardownNotAvailableError until teardown is deployed', async () => {
    const run = route.routeOrgEvent(deletedSample, deps());

    await expect(run).rejects.toThrow(route.TeardownNotAvailableError);
    await expect(run).rejects.toThrow('OrgDeleted for "Acme-Bistro-42" cannot be processed until the teardown workflow is deployed');
    await expect(run).rejects.toHaveProperty('name', 'TeardownNotAvailableError');
    expect(sfnMock.calls()).toHaveLength(0);
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('rejects any other detail-type without starting or publishing anything', async () => {
    const result = await route.routeOrgEvent({ ...createdSample, 'detail-type': 'OrgRenamed' }, deps());

    expect(result).toEqual({ action: 'rejected', reason: expect.stringMatching(/Unsupported detail-type "OrgRenamed"/) });
    expect(sfnMock.calls()).toHaveLength(0);
    expect(eventBridgeMock.calls()).toHaveLength(0);
  });

  it('works through the Lambda handler with the configured state machine', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: arnOf('org-acme-bistro-42'), startDate: new Date() });
    const fakeContext = { functionName: 'routeOrgEvent', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

    const result = await route.handler(createdSample, fakeContext);

    expect(result).toEqual({ action: 'started', executionName: 'org-acme-bistro-42' });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: PROVISION_ARN, name: 'org-acme-bistro-42' });
  });
});
