import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { INVALID_ORG_IDS } from '../../support/fixtures';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StopExecutionCommand,
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
const TEARDOWN_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-test-teardown-tenant';
const sfnMock = mockClient(SFNClient);
const eventBridgeMock = mockClient(EventBridgeClient);
const config = loadConfig();
const executions = new SfnExecutionPort(new SFNClient({}), { provision: PROVISION_ARN, teardown: TEARDOWN_ARN });
const eventBridge = new EventBridgeClient({});
const now = () => new Date('2026-11-23T09:00:01.000Z');
const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };

let route: RouteModule;
beforeAll(async () => {
  // The handler reads its state machine ARNs at module load; set them before loading the module.
  process.env.PROVISION_STATE_MACHINE_ARN = PROVISION_ARN;
  process.env.TEARDOWN_STATE_MACHINE_ARN = TEARDOWN_ARN;
  route = await import('../../../functions/route-org-event');
});

function orgCreated(detail: unknown, id = createdSample.id): EventBridgeEvent<string, unknown> {
  return { ...createdSample, id, detail };
}

function orgDeleted(detail: unknown, id = deletedSample.id): EventBridgeEvent<string, unknown> {
  return { ...deletedSample, id, detail };
}

function arnOf(name: string, stateMachineArn = PROVISION_ARN): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function teardownArnOf(name: string): string {
  return arnOf(name, TEARDOWN_ARN);
}

function execution(
  name: string,
  status: DescribeExecutionOutput['status'],
  input: object,
  output?: object,
  { stateMachineArn = PROVISION_ARN, startDate = new Date('2026-11-23T09:00:00.000Z') } = {},
): DescribeExecutionOutput {
  return {
    executionArn: arnOf(name, stateMachineArn),
    stateMachineArn,
    name,
    status,
    startDate,
    input: JSON.stringify(input),
    ...(output === undefined ? {} : { output: JSON.stringify(output) }),
  };
}

/** Makes the teardown-tenant execution `name` exist with this status (started after every provisioning by default). */
function existingTeardown(name: string, status: DescribeExecutionOutput['status'], startDate = new Date('2026-11-30T09:00:00.000Z')) {
  sfnMock
    .on(DescribeExecutionCommand, { executionArn: teardownArnOf(name) })
    .resolves(execution(name, status, { orgId: 'Acme-Bistro-42', retentionDays: 0, settleSeconds: 0 }, undefined, { stateMachineArn: TEARDOWN_ARN, startDate }));
}

/** The StartExecution calls made, in order: which state machine, which name, which input. */
function starts() {
  return sfnMock.commandCalls(StartExecutionCommand).map((call) => {
    const { stateMachineArn, name, input } = call.args[0].input;
    return { stateMachineArn, name, input: JSON.parse(input ?? 'null') };
  });
}

/** The Step Functions commands sent, in order, by command name. */
function sfnCommandOrder(): string[] {
  return sfnMock.calls().map((call) => (call.args[0] as object).constructor.name);
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

    it.each(INVALID_ORG_IDS)('rejects an orgId that is %s with OrgProvisioningFailed and starts nothing', async (_label, orgId) => {
      const result = await route.routeOrgEvent(orgCreated({ orgId }), deps());

      expect(result.action).toBe('rejected');
      expect(result.reason).toMatch(/orgId/);
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
      expect(putEntries()).toHaveLength(1);
      const entry = putEntries()[0];
      expect(entry).toMatchObject({ Source: config.eventSource, DetailType: 'OrgProvisioningFailed', EventBusName: config.eventBusName });
      const detail = JSON.parse(entry?.Detail ?? '{}');
      expect(detail).toEqual({
        ...(typeof orgId === 'string' ? { orgId } : {}),
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

    describe('after a teardown of the latest generation', () => {
      const provisioned = { published: { detail: provisionedSample.detail } };

      it.each(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const)(
        're-onboards a tenant whose %s provisioning was torn down as generation 2',
        async (status) => {
          existingGenerations({ status, output: status === 'SUCCEEDED' ? provisioned : undefined });
          existingTeardown('org-acme-bistro-42', 'SUCCEEDED');
          sfnMock.on(StartExecutionCommand, { name: 'org-acme-bistro-42-g2' }).resolves({ executionArn: arnOf('org-acme-bistro-42-g2'), startDate: new Date() });

          const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

          expect(result).toEqual({ action: 'started', executionName: 'org-acme-bistro-42-g2' });
          const input = { orgId: 'Acme-Bistro-42', orgName: 'Acme Bistro' };
          expect(starts()).toEqual([
            { stateMachineArn: PROVISION_ARN, name: 'org-acme-bistro-42', input },
            { stateMachineArn: PROVISION_ARN, name: 'org-acme-bistro-42-g2', input },
          ]);
          expect(sfnMock.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input.executionArn)).toEqual([
            arnOf('org-acme-bistro-42'),
            arnOf('org-acme-bistro-42-g2'),
            teardownArnOf('org-acme-bistro-42'),
          ]);
          expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
        },
      );

      it('starts generation 3 after the second generation was torn down too', async () => {
        existingGenerations({ status: 'SUCCEEDED', output: provisioned }, { status: 'SUCCEEDED', output: provisioned });
        existingTeardown('org-acme-bistro-42', 'SUCCEEDED');
        existingTeardown('org-acme-bistro-42-g2', 'SUCCEEDED');
        sfnMock.on(StartExecutionCommand, { name: 'org-acme-bistro-42-g3' }).resolves({ executionArn: arnOf('org-acme-bistro-42-g3'), startDate: new Date() });

        const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

        expect(result).toEqual({ action: 'started', executionName: 'org-acme-bistro-42-g3' });
        expect(sfnMock).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: teardownArnOf('org-acme-bistro-42-g2') });
        expect(sfnMock).not.toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: teardownArnOf('org-acme-bistro-42') });
      });

      it('acknowledges as a duplicate when another event started the next generation first', async () => {
        existingGenerations({ status: 'SUCCEEDED', output: provisioned });
        existingTeardown('org-acme-bistro-42', 'SUCCEEDED');

        const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

        expect(result).toEqual({ action: 'duplicate', executionName: 'org-acme-bistro-42-g2' });
        expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
        expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
      });

      it.each(['RUNNING', 'PENDING_REDRIVE'] as const)(
        'rejects OrgCreated while the teardown is %s and starts no new generation',
        async (status) => {
          existingGenerations({ status: 'SUCCEEDED', output: provisioned });
          existingTeardown('org-acme-bistro-42', status);

          const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

          expect(result).toEqual({
            action: 'rejected',
            reason: expect.stringMatching(/teardown of its previous generation \(execution org-acme-bistro-42, .*\) is still running; send OrgCreated again after OrgDeprovisioned/),
            executionName: 'org-acme-bistro-42',
            workflow: 'teardown',
            status,
          });
          // Only the first attempt at org-<slug>, which Step Functions refused.
          expect(starts().map((start) => start.name)).toEqual(['org-acme-bistro-42']);
          const entries = putEntries();
          expect(entries).toHaveLength(1);
          expect(entries[0]?.DetailType).toBe('OrgProvisioningFailed');
          const detail = JSON.parse(entries[0]?.Detail ?? '{}');
          expect(detail).toMatchObject({ orgId: 'Acme-Bistro-42', stage: 'router', error: 'TeardownInProgressError', reason: result.reason });
          expect(() => assertOrgProvisioningFailedDetail(detail)).not.toThrow();
        },
      );

      it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)('parks OrgCreated after a %s teardown for operators', async (status) => {
        existingGenerations({ status: 'SUCCEEDED', output: provisioned });
        existingTeardown('org-acme-bistro-42', status);

        const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

        expect(result).toEqual({ action: 'parked', executionName: 'org-acme-bistro-42', workflow: 'teardown', status });
        expect(logger.warn).toHaveBeenCalledWith(
          expect.stringContaining('finish the teardown first'),
          expect.objectContaining({ metric: 'OrgCreatedAfterUnfinishedTeardown', status }),
        );
        expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
        expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
      });

      it('does not look for a teardown while the latest provisioning is still running', async () => {
        existingGenerations({ status: 'RUNNING' });
        existingTeardown('org-acme-bistro-42', 'SUCCEEDED');

        const result = await route.routeOrgEvent(orgCreated(createdSample.detail), deps());

        expect(result).toEqual({ action: 'duplicate', executionName: 'org-acme-bistro-42', status: 'RUNNING' });
        expect(sfnMock).not.toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: teardownArnOf('org-acme-bistro-42') });
        expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
      });
    });
  });

  describe('OrgDeleted', () => {
    const teardownStarted = (name: string) => ({ executionArn: teardownArnOf(name), startDate: new Date() });
    const alreadyExists = () => new ExecutionAlreadyExists({ $metadata: {}, message: 'Execution Already Exists' });

    it('starts teardown org-<slug> with only the known fields and no settle time when nothing was provisioned', async () => {
      sfnMock.on(StartExecutionCommand).resolves(teardownStarted('org-acme-bistro-42'));
      const detail = { orgId: 'Acme-Bistro-42', orgName: 'Acme Bistro', region: 'eu-west-1', retentionDays: 30, reason: 'closed' };

      const result = await route.routeOrgEvent(orgDeleted(detail), deps());

      expect(result).toEqual({ action: 'started', executionName: 'org-acme-bistro-42', workflow: 'teardown', stoppedProvisioning: false });
      expect(starts()).toEqual([
        { stateMachineArn: TEARDOWN_ARN, name: 'org-acme-bistro-42', input: { orgId: 'Acme-Bistro-42', region: 'eu-west-1', retentionDays: 30, settleSeconds: 0 } },
      ]);
      expect(sfnMock).toHaveReceivedCommandTimes(StopExecutionCommand, 0);
      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it('leaves region and retentionDays out of the input when the event has none', async () => {
      sfnMock.on(StartExecutionCommand).resolves(teardownStarted('org-acme-bistro-42'));

      await route.routeOrgEvent(orgDeleted({ orgId: 'Acme-Bistro-42' }), deps());

      expect(starts()[0]?.input).toEqual({ orgId: 'Acme-Bistro-42', settleSeconds: 0 });
    });

    it('tears down in the region the tenant was provisioned in when OrgDeleted names none', async () => {
      existingGenerations({ status: 'SUCCEEDED', input: { orgId: 'Acme-Bistro-42', region: 'eu-west-1' } });
      sfnMock.on(StartExecutionCommand, { stateMachineArn: TEARDOWN_ARN }).resolves(teardownStarted('org-acme-bistro-42'));

      await route.routeOrgEvent(orgDeleted({ orgId: 'Acme-Bistro-42' }), deps());

      expect(starts()[0]?.input).toEqual({ orgId: 'Acme-Bistro-42', region: 'eu-west-1', settleSeconds: 0 });
    });

    it.each(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const)('tears down after a %s provisioning without stopping anything', async (status) => {
      existingGenerations({ status });
      sfnMock.on(StartExecutionCommand, { stateMachineArn: TEARDOWN_ARN }).resolves(teardownStarted('org-acme-bistro-42'));

      const result = await route.routeOrgEvent(deletedSample, deps());

      expect(result).toEqual({ action: 'started', executionName: 'org-acme-bistro-42', workflow: 'teardown', stoppedProvisioning: false });
      expect(starts()).toEqual([{ stateMachineArn: TEARDOWN_ARN, name: 'org-acme-bistro-42', input: { orgId: 'Acme-Bistro-42', retentionDays: 0, settleSeconds: 0 } }]);
      expect(sfnMock).toHaveReceivedCommandTimes(StopExecutionCommand, 0);
    });

    it.each(['RUNNING', 'PENDING_REDRIVE'] as const)(
      'stops a %s provisioning before it starts the teardown, which then waits for stray calls to settle',
      async (status) => {
        existingGenerations({ status });
        sfnMock.on(StartExecutionCommand, { stateMachineArn: TEARDOWN_ARN }).resolves(teardownStarted('org-acme-bistro-42'));
        sfnMock.on(StopExecutionCommand).resolves({ stopDate: new Date() });

        const result = await route.routeOrgEvent(deletedSample, deps());

        expect(result).toEqual({ action: 'started', executionName: 'org-acme-bistro-42', workflow: 'teardown', stoppedProvisioning: true });
        expect(sfnMock).toHaveReceivedCommandTimes(StopExecutionCommand, 1);
        expect(sfnMock).toHaveReceivedCommandWith(StopExecutionCommand, {
          executionArn: arnOf('org-acme-bistro-42'),
          error: 'OrgDeleted',
          cause: 'The organisation was deleted while it was being provisioned; teardown follows.',
        });
        expect(sfnCommandOrder().filter((command) => command !== 'DescribeExecutionCommand')).toEqual(['StopExecutionCommand', 'StartExecutionCommand']);
        expect(starts()).toEqual([
          {
            stateMachineArn: TEARDOWN_ARN,
            name: 'org-acme-bistro-42',
            input: { orgId: 'Acme-Bistro-42', retentionDays: 0, settleSeconds: route.SETTLE_AFTER_STOPPED_PROVISIONING_SECONDS },
          },
        ]);
        expect(route.SETTLE_AFTER_STOPPED_PROVISIONING_SECONDS).toBe(60);
      },
    );

    it('acknowledges a repeated OrgDeleted as a duplicate: one teardown, one stop', async () => {
      const running = execution('org-acme-bistro-42', 'RUNNING', { orgId: 'Acme-Bistro-42' });
      sfnMock
        .on(DescribeExecutionCommand, { executionArn: arnOf('org-acme-bistro-42') })
        .resolvesOnce(running)
        .resolves({ ...running, status: 'ABORTED', stopDate: new Date() });
      existingTeardown('org-acme-bistro-42', 'RUNNING');
      sfnMock.on(StartExecutionCommand).resolvesOnce(teardownStarted('org-acme-bistro-42')).rejects(alreadyExists());
      sfnMock.on(StopExecutionCommand).resolves({ stopDate: new Date() });

      const first = await route.routeOrgEvent(deletedSample, deps());
      const second = await route.routeOrgEvent(orgDeleted(deletedSample.detail, 'redelivered-event-id'), deps());

      expect(first).toEqual({ action: 'started', executionName: 'org-acme-bistro-42', workflow: 'teardown', stoppedProvisioning: true });
      expect(second).toEqual({ action: 'duplicate', executionName: 'org-acme-bistro-42', workflow: 'teardown', status: 'RUNNING' });
      expect(sfnMock).toHaveReceivedCommandTimes(StopExecutionCommand, 1);
      expect(starts().map((start) => [start.stateMachineArn, start.name])).toEqual([
        [TEARDOWN_ARN, 'org-acme-bistro-42'],
        [TEARDOWN_ARN, 'org-acme-bistro-42'],
      ]);
      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    });

    it('acknowledges an OrgDeleted for a tenant already torn down as a duplicate', async () => {
      existingGenerations({ status: 'SUCCEEDED' });
      existingTeardown('org-acme-bistro-42', 'SUCCEEDED');

      const result = await route.routeOrgEvent(deletedSample, deps());

      expect(result).toEqual({ action: 'duplicate', executionName: 'org-acme-bistro-42', workflow: 'teardown', status: 'SUCCEEDED' });
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    });

    it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)('parks a repeated OrgDeleted of a %s teardown for operators', async (status) => {
      existingGenerations({ status: 'SUCCEEDED' });
      existingTeardown('org-acme-bistro-42', status);

      const result = await route.routeOrgEvent(deletedSample, deps());

      expect(result).toEqual({ action: 'parked', executionName: 'org-acme-bistro-42', workflow: 'teardown', status });
      expect(logger.warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ metric: 'DuplicateOfFailedExecution', workflow: 'teardown', status }));
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    });

    it('parks, and logs an error, when the teardown of that name started before the provisioning it should tear down', async () => {
      existingGenerations({ status: 'SUCCEEDED' });
      existingTeardown('org-acme-bistro-42', 'SUCCEEDED', new Date('2026-11-22T09:00:00.000Z'));

      const result = await route.routeOrgEvent(deletedSample, deps());

      expect(result).toEqual({ action: 'parked', executionName: 'org-acme-bistro-42', workflow: 'teardown', status: 'SUCCEEDED' });
      expect(logger.error).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ metric: 'TeardownPredatesProvisioning' }));
    });

    it('tears down generation 2 under its own name after a re-onboarding', async () => {
      existingGenerations({ status: 'SUCCEEDED' }, { status: 'SUCCEEDED' });
      existingTeardown('org-acme-bistro-42', 'SUCCEEDED', new Date('2026-11-22T09:00:00.000Z'));
      sfnMock.on(StartExecutionCommand, { stateMachineArn: TEARDOWN_ARN }).resolves(teardownStarted('org-acme-bistro-42-g2'));

      const result = await route.routeOrgEvent(deletedSample, deps());

      expect(result).toEqual({ action: 'started', executionName: 'org-acme-bistro-42-g2', workflow: 'teardown', stoppedProvisioning: false });
      expect(starts()).toEqual([
        { stateMachineArn: TEARDOWN_ARN, name: 'org-acme-bistro-42-g2', input: { orgId: 'Acme-Bistro-42', retentionDays: 0, settleSeconds: 0 } },
      ]);
    });

    it('stops a running generation 2 by its own name', async () => {
      existingGenerations({ status: 'SUCCEEDED' }, { status: 'RUNNING' });
      sfnMock.on(StartExecutionCommand, { stateMachineArn: TEARDOWN_ARN }).resolves(teardownStarted('org-acme-bistro-42-g2'));
      sfnMock.on(StopExecutionCommand).resolves({ stopDate: new Date() });

      const result = await route.routeOrgEvent(deletedSample, deps());

      expect(result).toMatchObject({ action: 'started', executionName: 'org-acme-bistro-42-g2', stoppedProvisioning: true });
      expect(sfnMock).toHaveReceivedCommandTimes(StopExecutionCommand, 1);
      expect(sfnMock).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: arnOf('org-acme-bistro-42-g2') });
    });

    it('rejects an orgId that differs only in case from the provisioned org, stopping and starting nothing', async () => {
      existingGenerations({ status: 'RUNNING', input: { orgId: 'ACME-BISTRO-42' } });

      const result = await route.routeOrgEvent(deletedSample, deps());

      expect(result.action).toBe('rejected');
      expect(result.reason).toMatch(/"Acme-Bistro-42" collides case-insensitively with existing org "ACME-BISTRO-42"/);
      expect(sfnMock).toHaveReceivedCommandTimes(StopExecutionCommand, 0);
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
      expect(JSON.parse(putEntries()[0]?.Detail ?? '{}')).toMatchObject({ stage: 'router', error: 'InvalidOrgIdError' });
    });

    it.each([
      ['a malformed orgId', { orgId: '../x' }, 'InvalidOrgIdError', /orgId/],
      ['no orgId', { retentionDays: 0 }, 'InvalidOrgIdError', /orgId is required/],
      ['a negative retentionDays', { orgId: 'Acme-Bistro-42', retentionDays: -1 }, 'InvalidEventError', /retentionDays -1 is invalid/],
      ['a retentionDays that is not a number', { orgId: 'Acme-Bistro-42', retentionDays: 'x' }, 'InvalidEventError', /retentionDays "x" is invalid/],
      ['a fractional retentionDays', { orgId: 'Acme-Bistro-42', retentionDays: 1.5 }, 'InvalidEventError', /retentionDays 1.5 is invalid/],
      ['a malformed region', { orgId: 'Acme-Bistro-42', region: 'Europe' }, 'InvalidEventError', /region "Europe" is invalid/],
      ['a region the stage does not allow', { orgId: 'Acme-Bistro-42', region: 'ap-south-1' }, 'InvalidEventError', /region "ap-south-1" is not allowed/],
    ])('rejects an OrgDeleted with %s, reporting it and touching no execution', async (_label, detail, error, reason) => {
      const result = await route.routeOrgEvent(orgDeleted(detail), deps());

      expect(result).toEqual({ action: 'rejected', reason: expect.stringMatching(reason) });
      expect(result.reason).toMatch(/^Invalid OrgDeleted: /);
      expect(sfnMock.calls()).toHaveLength(0);
      const entries = putEntries();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ Source: config.eventSource, DetailType: 'OrgProvisioningFailed', EventBusName: config.eventBusName });
      const published = JSON.parse(entries[0]?.Detail ?? '{}');
      expect(published).toMatchObject({ stage: 'router', error, reason: result.reason, sourceEventId: deletedSample.id, failedAt: '2026-11-23T09:00:01.000Z' });
      expect(() => assertOrgProvisioningFailedDetail(published)).not.toThrow();
    });

    it('starts no teardown when the stop fails, so the retried event stops again and still waits to settle', async () => {
      existingGenerations({ status: 'RUNNING' });
      const throttled = new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
      sfnMock.on(StopExecutionCommand).rejects(throttled);

      await expect(route.routeOrgEvent(deletedSample, deps())).rejects.toBe(throttled);
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    });

    it('throws when Step Functions reports the teardown name taken but cannot describe it, so the event is retried', async () => {
      sfnMock.on(StartExecutionCommand).rejects(alreadyExists());

      await expect(route.routeOrgEvent(deletedSample, deps())).rejects.toThrow(/teardown org-acme-bistro-42 as existing/);
    });
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

  it('starts teardown through the Lambda handler with the configured teardown state machine', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: teardownArnOf('org-acme-bistro-42'), startDate: new Date() });
    const fakeContext = { functionName: 'routeOrgEvent', awsRequestId: 'req-2', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

    const result = await route.handler(deletedSample, fakeContext);

    expect(result).toEqual({ action: 'started', executionName: 'org-acme-bistro-42', workflow: 'teardown', stoppedProvisioning: false });
    expect(sfnMock).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: arnOf('org-acme-bistro-42') });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: TEARDOWN_ARN, name: 'org-acme-bistro-42' });
  });
});
