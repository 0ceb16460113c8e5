import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mockExecution, mockNoExecutions } from '../sfn-mock';
import { at, describeOutput, event, executionArn, history, okTask, PROVISION_MACHINE, TEARDOWN_MACHINE, tenantctl } from '../support';

const sfnMock = mockClient(SFNClient);

/** A provisioning that rolled back and ended in ProvisioningFailed. */
function rolledBack(orgId: string, stopSeconds: number) {
  const name = `org-${orgId.toLowerCase()}`;
  mockExecution(
    sfnMock,
    'provision',
    name,
    describeOutput('provision', name, {
      status: 'FAILED',
      inputObject: { orgId },
      startDate: at(stopSeconds - 2),
      stopDate: at(stopSeconds),
      error: 'TenantUserConflictError',
      cause: JSON.stringify({ errorType: 'TenantUserConflictError', errorMessage: `IAM user rms_${orgId.toLowerCase()} already exists and cannot be used` }),
      redriveStatus: 'REDRIVABLE',
    }),
    history(event.started(stopSeconds - 2, { orgId }), event.entered(stopSeconds - 0.1, 'Fail', 'ProvisioningFailed'), event.failed(stopSeconds, 'TenantUserConflictError', 'x')),
  );
}

/** A teardown that gave up at DeleteTenantBucket (a Task). */
function parkedTeardown(orgId: string, stopSeconds: number) {
  const name = `org-${orgId.toLowerCase()}`;
  mockExecution(
    sfnMock,
    'teardown',
    name,
    describeOutput('teardown', name, {
      status: 'FAILED',
      inputObject: { orgId },
      startDate: at(stopSeconds - 5),
      stopDate: at(stopSeconds),
      error: 'TenantBucketNotEmptiedError',
      cause: JSON.stringify({ errorType: 'TenantBucketNotEmptiedError', errorMessage: 'DeleteObjects could not delete 1 of 3 objects' }),
      redriveStatus: 'REDRIVABLE',
    }),
    history(event.started(stopSeconds - 5, { orgId }), ...okTask(stopSeconds - 4, 'RevokeTenantAccess'), event.entered(stopSeconds - 1, 'Task', 'DeleteTenantBucket'), event.scheduled(stopSeconds - 1), event.lambdaFailed(stopSeconds, 'TenantBucketNotEmptiedError', 'DeleteObjects could not delete 1 of 3 objects'), event.failed(stopSeconds, 'TenantBucketNotEmptiedError', 'x')),
  );
}

const summary = (workflow: 'provision' | 'teardown', name: string, stopSeconds: number) => ({
  executionArn: executionArn(workflow, name),
  stateMachineArn: workflow === 'provision' ? PROVISION_MACHINE : TEARDOWN_MACHINE,
  name,
  status: 'FAILED' as const,
  startDate: at(stopSeconds - 2),
  stopDate: at(stopSeconds),
});

beforeEach(() => {
  sfnMock.reset();
  mockNoExecutions(sfnMock);
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
});

describe('tenantctl failed', () => {
  it('lists the failed executions of both workflows across ListExecutions pages, newest first, with whether each can be redriven', async () => {
    rolledBack('Acme', 100);
    rolledBack('Bistro', 300);
    parkedTeardown('Cafe', 200);
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: PROVISION_MACHINE, statusFilter: 'FAILED' }).resolves({ executions: [summary('provision', 'org-acme', 100)], nextToken: 'page-2' });
    sfnMock
      .on(ListExecutionsCommand, { stateMachineArn: PROVISION_MACHINE, statusFilter: 'FAILED', nextToken: 'page-2' })
      .resolves({ executions: [summary('provision', 'org-bistro', 300)] });
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: TEARDOWN_MACHINE, statusFilter: 'FAILED' }).resolves({ executions: [summary('teardown', 'org-cafe', 200)] });

    const run = await tenantctl(['failed']);

    expect(run.code).toBe(0);
    expect(sfnMock).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: PROVISION_MACHINE, statusFilter: 'FAILED', nextToken: 'page-2' });
    for (const statusFilter of ['FAILED', 'TIMED_OUT', 'ABORTED']) {
      expect(sfnMock).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: TEARDOWN_MACHINE, statusFilter });
    }
    const heads = run.stdout.split('\n').filter((line) => /^\S+ {2}(provision|teardown)-tenant/.test(line));
    expect(heads).toEqual([
      'Bistro  provision-tenant  org-bistro  FAILED 2026-11-23 09:05:00Z',
      'Cafe  teardown-tenant  org-cafe  FAILED 2026-11-23 09:03:20Z',
      'Acme  provision-tenant  org-acme  FAILED 2026-11-23 09:01:40Z',
    ]);
    expect(run.stdout).toContain('3 failed executions since 2026-11-16 10:00:00Z');
    expect(run.stdout).toContain('  failed at  DeleteTenantBucket (Task)\n  error      TenantBucketNotEmptiedError: DeleteObjects could not delete 1 of 3 objects\n  redrive    yes — `tenantctl redrive Cafe` resumes at the failed state DeleteTenantBucket');
    expect(run.stdout).toContain(
      '  failed at  ProvisioningFailed (Fail)\n  error      TenantUserConflictError: IAM user rms_bistro already exists and cannot be used\n  redrive    no — it ended in its Fail state ProvisioningFailed after rolling back what it had created (TenantUserConflictError): a redrive would re-enter that Fail state and fail again\n  instead    fix the cause, then: tenantctl provision Bistro --new-generation',
    );
  });

  it('prints the failures as one JSON document', async () => {
    parkedTeardown('Cafe', 200);
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: TEARDOWN_MACHINE, statusFilter: 'FAILED' }).resolves({ executions: [summary('teardown', 'org-cafe', 200)] });

    const run = await tenantctl(['failed', '--json']);

    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      since: '2026-11-16T10:00:00.000Z',
      mode: 'aws',
      executions: [
        {
          orgId: 'Cafe',
          workflow: 'teardown',
          stateMachine: 'teardown-tenant',
          name: 'org-cafe',
          status: 'FAILED',
          startDate: at(195).toISOString(),
          stopDate: at(200).toISOString(),
          failedState: 'DeleteTenantBucket',
          failedStateType: 'Task',
          error: 'TenantBucketNotEmptiedError',
          cause: 'DeleteObjects could not delete 1 of 3 objects',
          redriveCount: 0,
          redrivable: true,
          redriveFrom: 'failed-state',
        },
      ],
    });
  });

  it('leaves out executions that ended before --since', async () => {
    rolledBack('Acme', 100);
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: PROVISION_MACHINE, statusFilter: 'FAILED' }).resolves({ executions: [summary('provision', 'org-acme', 100)] });

    const run = await tenantctl(['failed', '--since', '30m', '--json']);

    expect(run.json().executions).toEqual([]);
    expect(sfnMock).not.toHaveReceivedCommandWith(ListExecutionsCommand, { nextToken: expect.anything() });
  });

  it('does not count a provisioning the router stopped because its org was deleted', async () => {
    mockExecution(sfnMock, 'provision', 'org-acme', describeOutput('provision', 'org-acme', { status: 'ABORTED', stopDate: at(100), error: 'OrgDeleted', cause: 'The organisation was deleted while it was being provisioned; teardown follows.' }));
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: PROVISION_MACHINE, statusFilter: 'ABORTED' }).resolves({ executions: [{ ...summary('provision', 'org-acme', 100), status: 'ABORTED' }] });

    const run = await tenantctl(['failed', '--json']);

    expect(run.json().executions).toEqual([]);
  });

  it('refuses a --since it cannot read as bad usage', async () => {
    const run = await tenantctl(['failed', '--since', 'yesterday']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tenantctl: --since "yesterday" is not a duration like 30m, 12h, 7d, 2w or an ISO date. Run `tenantctl failed --help`.\n');
  });
});
