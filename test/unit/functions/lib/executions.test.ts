import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConfigError } from '../../../../functions/lib/config';
import { SfnExecutionPort, type ExecutionSummary } from '../../../../functions/lib/executions';

const sfnMock = mockClient(SFNClient);
const PROVISION_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-test-provision-tenant';
const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-test-provision-tenant:org-acme';
const startDate = new Date('2026-11-23T09:00:00.000Z');
const stopDate = new Date('2026-11-23T09:00:05.000Z');

function port(): SfnExecutionPort {
  return new SfnExecutionPort(new SFNClient({}), { provision: PROVISION_ARN });
}

beforeEach(() => sfnMock.reset());

describe('SfnExecutionPort', () => {
  it('derives the execution ARN from the state machine ARN', () => {
    expect(port().executionArn('provision', 'org-acme')).toBe(EXECUTION_ARN);
  });

  it('starts an execution with its name and JSON input', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate });
    await expect(port().start('provision', 'org-acme', { orgId: 'Acme' })).resolves.toEqual({ started: true, executionArn: EXECUTION_ARN });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: PROVISION_ARN,
      name: 'org-acme',
      input: '{"orgId":"Acme"}',
    });
  });

  it('reports a taken name as already-exists', async () => {
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ $metadata: {}, message: 'Execution Already Exists' }));
    await expect(port().start('provision', 'org-acme', { orgId: 'Acme' })).resolves.toEqual({ started: false, reason: 'already-exists' });
  });

  it('rethrows any other StartExecution error untouched', async () => {
    const throttled = new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
    sfnMock.on(StartExecutionCommand).rejects(throttled);
    await expect(port().start('provision', 'org-acme', {})).rejects.toBe(throttled);
  });

  it('describes an execution with its input and output parsed', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION_ARN,
      stateMachineArn: PROVISION_ARN,
      name: 'org-acme',
      status: 'SUCCEEDED',
      startDate,
      stopDate,
      input: '{"orgId":"Acme"}',
      output: '{"published":{"eventId":"e-1"}}',
    });
    await expect(port().describe('provision', 'org-acme')).resolves.toEqual({
      workflow: 'provision',
      name: 'org-acme',
      executionArn: EXECUTION_ARN,
      status: 'SUCCEEDED',
      input: { orgId: 'Acme' },
      output: { published: { eventId: 'e-1' } },
      startDate,
      stopDate,
    });
    expect(sfnMock).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: EXECUTION_ARN });
  });

  it('keeps the error and cause of a failed execution', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION_ARN,
      stateMachineArn: PROVISION_ARN,
      status: 'FAILED',
      startDate,
      input: '{"orgId":"Acme"}',
      error: 'BucketNameUnavailableError',
      cause: 'every candidate is taken',
    });
    const record = await port().describe('provision', 'org-acme');
    expect(record).toMatchObject({ name: 'org-acme', status: 'FAILED', error: 'BucketNameUnavailableError', cause: 'every candidate is taken' });
    expect(record).not.toHaveProperty('output');
  });

  it('describes a missing execution as undefined', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ $metadata: {}, message: 'Execution Does Not Exist' }));
    await expect(port().describe('provision', 'org-nobody')).resolves.toBeUndefined();
  });

  it('stops an execution, and a missing one is not an error', async () => {
    sfnMock
      .on(StopExecutionCommand)
      .resolvesOnce({ stopDate })
      .rejectsOnce(new ExecutionDoesNotExist({ $metadata: {}, message: 'Execution Does Not Exist' }));
    await port().stop('provision', 'org-acme', { error: 'OrgDeleted', cause: 'the org was deleted' });
    await expect(port().stop('provision', 'org-gone', { error: 'OrgDeleted', cause: 'x' })).resolves.toBeUndefined();
    expect(sfnMock).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: EXECUTION_ARN, error: 'OrgDeleted', cause: 'the org was deleted' });
    expect(sfnMock).toHaveReceivedCommandTimes(StopExecutionCommand, 2);
  });

  it('lists executions across pages with the status filter', async () => {
    sfnMock
      .on(ListExecutionsCommand)
      .resolvesOnce({
        executions: [{ executionArn: `${EXECUTION_ARN}-1`, stateMachineArn: PROVISION_ARN, name: 'org-a', status: 'FAILED', startDate, stopDate }],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        executions: [{ executionArn: `${EXECUTION_ARN}-2`, stateMachineArn: PROVISION_ARN, name: 'org-b', status: 'FAILED', startDate }],
      });
    const seen: ExecutionSummary[] = [];
    for await (const execution of port().list('provision', { status: 'FAILED' })) seen.push(execution);

    expect(seen.map((e) => e.name)).toEqual(['org-a', 'org-b']);
    expect(seen[0]).toEqual({ workflow: 'provision', name: 'org-a', executionArn: `${EXECUTION_ARN}-1`, status: 'FAILED', startDate, stopDate });
    expect(sfnMock).toHaveReceivedCommandTimes(ListExecutionsCommand, 2);
    expect(sfnMock.commandCalls(ListExecutionsCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn: PROVISION_ARN, statusFilter: 'FAILED' },
      { stateMachineArn: PROVISION_ARN, statusFilter: 'FAILED', nextToken: 'page-2' },
    ]);
  });

  it('names the workflow when no state machine is configured for it', async () => {
    await expect(port().start('teardown', 'org-acme', {})).rejects.toThrow(new ConfigError('No state machine is configured for the teardown workflow'));
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('refuses an ARN that is not a state machine ARN', () => {
    expect(() => new SfnExecutionPort(new SFNClient({}), { provision: 'arn:aws:lambda:us-east-1:123456789012:function:x' })).toThrow(ConfigError);
  });
});
