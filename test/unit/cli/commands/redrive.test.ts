import { DescribeExecutionCommand, ExecutionNotRedrivable, GetExecutionHistoryCommand, ListExecutionsCommand, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { redriveClientToken } from '../../../../cli/commands/redrive';
import { mockExecution, mockNoExecutions } from '../sfn-mock';
import { at, describeOutput, event, executionArn, history, okTask, PROVISION_MACHINE, provisionedHistory, provisionedOutput, TEARDOWN_MACHINE, tenantctl } from '../support';

const sfnMock = mockClient(SFNClient);

const TEARDOWN_ARN = executionArn('teardown', 'org-acme');
const failedTeardown = describeOutput('teardown', 'org-acme', {
  status: 'FAILED',
  startDate: at(10),
  stopDate: at(20),
  error: 'TenantBucketNotEmptiedError',
  cause: JSON.stringify({ errorType: 'TenantBucketNotEmptiedError', errorMessage: 'DeleteObjects could not delete 1 of 3 objects' }),
  redriveStatus: 'REDRIVABLE',
  redriveCount: 0,
});
const failedTeardownHistory = history(
  event.started(10),
  ...okTask(10.1, 'RevokeTenantAccess'),
  event.entered(11, 'Task', 'DeleteTenantBucket'),
  event.scheduled(11),
  event.lambdaFailed(20, 'TenantBucketNotEmptiedError', 'DeleteObjects could not delete 1 of 3 objects'),
  event.failed(20, 'TenantBucketNotEmptiedError', 'x'),
);
const redrivenHistory = history(
  ...failedTeardownHistory,
  event.redriven(30, 1),
  event.entered(30, 'Task', 'DeleteTenantBucket'),
  event.scheduled(30),
  event.lambdaSucceeded(31),
  event.exited(31, 'Task', 'DeleteTenantBucket', { deletedBucket: { done: true } }),
  ...okTask(31.1, 'PublishOrgDeprovisioned'),
  event.succeeded(31.5),
);

function mockProvisioned(): void {
  mockExecution(sfnMock, 'provision', 'org-acme', describeOutput('provision', 'org-acme', { stopDate: at(1.5), outputObject: provisionedOutput() }), provisionedHistory());
}

function mockRolledBackProvisioning(): void {
  mockExecution(
    sfnMock,
    'provision',
    'org-acme',
    describeOutput('provision', 'org-acme', { status: 'FAILED', stopDate: at(2), error: 'TenantUserConflictError', cause: 'IAM user rms_acme already exists', redriveStatus: 'REDRIVABLE' }),
    history(event.started(0), event.entered(1.9, 'Fail', 'ProvisioningFailed'), event.failed(2, 'TenantUserConflictError', 'IAM user rms_acme already exists')),
  );
}

beforeEach(() => {
  sfnMock.reset();
  mockNoExecutions(sfnMock);
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
});

describe('tenantctl redrive', () => {
  it('redrives a redrivable teardown with a clientToken, follows it from the redrive, and reports where it resumed', async () => {
    mockProvisioned();
    mockExecution(sfnMock, 'teardown', 'org-acme', failedTeardown, redrivenHistory);
    sfnMock.on(GetExecutionHistoryCommand, { executionArn: TEARDOWN_ARN, reverseOrder: true }).resolves({ events: [...failedTeardownHistory].reverse() });
    sfnMock
      .on(DescribeExecutionCommand, { executionArn: TEARDOWN_ARN })
      .resolvesOnce(failedTeardown)
      .resolves({ ...failedTeardown, status: 'SUCCEEDED', stopDate: at(31.5), redriveCount: 1, redriveDate: at(30), redriveStatus: 'NOT_REDRIVABLE' });
    sfnMock.on(RedriveExecutionCommand).resolves({ redriveDate: at(30) });

    const run = await tenantctl(['redrive', 'Acme']);

    expect(run.code).toBe(0);
    const clientToken = redriveClientToken({ executionArn: TEARDOWN_ARN, redriveCount: 0 });
    expect(clientToken).toMatch(/^tenantctl-[0-9a-f]{48}$/);
    expect(sfnMock).toHaveReceivedCommandTimes(RedriveExecutionCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: TEARDOWN_ARN, clientToken });
    expect(run.stdout).toContain('Redriven teardown-tenant org-acme (was FAILED at DeleteTenantBucket): resumes at the failed state DeleteTenantBucket');
    expect(run.stdout).not.toContain('✓ RevokeTenantAccess');
    expect(run.stdout).toContain('↺ redriven (1): resumes at the failed state');
    expect(run.stdout).toMatch(/✓ DeleteTenantBucket +1\.0 s/);
    expect(run.stdout).toContain('  SUCCEEDED in 1.5 s (since redrive 1) — resumed at the failed state DeleteTenantBucket');
  });

  it('uses the same clientToken for the same failure, and a new one after another redrive', () => {
    const first = redriveClientToken({ executionArn: TEARDOWN_ARN, redriveCount: 0 });
    expect(redriveClientToken({ executionArn: TEARDOWN_ARN, redriveCount: 0 })).toBe(first);
    expect(redriveClientToken({ executionArn: TEARDOWN_ARN, redriveCount: 1 })).not.toBe(first);
    expect(redriveClientToken({ executionArn: executionArn('provision', 'org-acme'), redriveCount: 0 })).not.toBe(first);
  });

  it('refuses a provisioning that ended in its Fail state after rolling back, without calling RedriveExecution', async () => {
    mockRolledBackProvisioning();

    const run = await tenantctl(['redrive', 'Acme']);

    expect(run.code).toBe(1);
    expect(sfnMock).toHaveReceivedCommandTimes(RedriveExecutionCommand, 0);
    expect(run.stdout).toBe(
      'Not redriving provision-tenant org-acme (FAILED at ProvisioningFailed): it ended in its Fail state ProvisioningFailed after rolling back what it had created (TenantUserConflictError): a redrive would re-enter that Fail state and fail again\n' +
        'Instead: fix the cause, then: tenantctl provision Acme --new-generation\n',
    );
  });

  it('says why in JSON, and on stderr, when it refuses', async () => {
    mockRolledBackProvisioning();

    const run = await tenantctl(['redrive', 'Acme', '--json']);

    expect(run.code).toBe(1);
    expect(run.json()).toEqual({
      dryRun: false,
      results: [
        {
          orgId: 'Acme',
          workflow: 'provision',
          stateMachine: 'provision-tenant',
          name: 'org-acme',
          action: 'refused',
          failedState: 'ProvisioningFailed',
          reason: expect.stringContaining('a redrive would re-enter that Fail state and fail again'),
          suggestion: 'fix the cause, then: tenantctl provision Acme --new-generation',
        },
      ],
    });
    expect(run.stderr).toMatch(/^tenantctl: org-acme cannot usefully be redriven: it ended in its Fail state/);
  });

  it('reports a refusal by Step Functions (ExecutionNotRedrivable) with its reason', async () => {
    mockProvisioned();
    mockExecution(sfnMock, 'teardown', 'org-acme', failedTeardown, failedTeardownHistory);
    sfnMock.on(RedriveExecutionCommand).rejects(new ExecutionNotRedrivable({ $metadata: {}, message: 'Execution ended more than 14 days ago' }));

    const run = await tenantctl(['redrive', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Not redriving teardown-tenant org-acme (FAILED at DeleteTenantBucket): Step Functions refused: Execution ended more than 14 days ago');
  });

  it('refuses the teardown of an older generation: it would delete the newer tenant', async () => {
    mockExecution(sfnMock, 'provision', 'org-acme', describeOutput('provision', 'org-acme', { stopDate: at(1) }));
    mockExecution(sfnMock, 'teardown', 'org-acme', failedTeardown, failedTeardownHistory);
    mockExecution(sfnMock, 'provision', 'org-acme-g2', describeOutput('provision', 'org-acme-g2', { startDate: at(40), stopDate: at(41) }));
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: TEARDOWN_MACHINE, statusFilter: 'FAILED' }).resolves({
      executions: [{ executionArn: TEARDOWN_ARN, stateMachineArn: TEARDOWN_MACHINE, name: 'org-acme', status: 'FAILED', startDate: at(10), stopDate: at(20) }],
    });

    const run = await tenantctl(['redrive', '--all-failed', '--json']);

    expect(run.code).toBe(0);
    expect(sfnMock).toHaveReceivedCommandTimes(RedriveExecutionCommand, 0);
    expect(run.json().results).toEqual([
      expect.objectContaining({ name: 'org-acme', workflow: 'teardown', action: 'refused', reason: 'it belongs to an older generation of the tenant; the latest is org-acme-g2, whose resources it would delete' }),
    ]);
  });

  it('with --all-failed --dry-run, says what it would redrive and what it would skip, and redrives nothing', async () => {
    mockProvisioned();
    mockExecution(sfnMock, 'teardown', 'org-acme', failedTeardown, failedTeardownHistory);
    mockExecution(
      sfnMock,
      'provision',
      'org-bistro',
      describeOutput('provision', 'org-bistro', { inputObject: { orgId: 'Bistro' }, status: 'FAILED', stopDate: at(50), error: 'TenantUserConflictError', redriveStatus: 'REDRIVABLE' }),
      history(event.started(0, { orgId: 'Bistro' }), event.entered(49, 'Fail', 'ProvisioningFailed'), event.failed(50, 'TenantUserConflictError', 'x')),
    );
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: PROVISION_MACHINE, statusFilter: 'FAILED' }).resolves({
      executions: [{ executionArn: executionArn('provision', 'org-bistro'), stateMachineArn: PROVISION_MACHINE, name: 'org-bistro', status: 'FAILED', startDate: at(0), stopDate: at(50) }],
    });
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: TEARDOWN_MACHINE, statusFilter: 'FAILED' }).resolves({
      executions: [{ executionArn: TEARDOWN_ARN, stateMachineArn: TEARDOWN_MACHINE, name: 'org-acme', status: 'FAILED', startDate: at(10), stopDate: at(20) }],
    });

    const run = await tenantctl(['redrive', '--all-failed', '--dry-run']);

    expect(run.code).toBe(0);
    expect(sfnMock).toHaveReceivedCommandTimes(RedriveExecutionCommand, 0);
    expect(run.stdout).toBe(
      'Bistro  provision-tenant  org-bistro  skipped — it ended in its Fail state ProvisioningFailed after rolling back what it had created (TenantUserConflictError): a redrive would re-enter that Fail state and fail again; instead: fix the cause, then: tenantctl provision Bistro --new-generation\n' +
        'Acme  teardown-tenant  org-acme  would redrive (at DeleteTenantBucket)\n',
    );
  });

  it('with --all-failed, redrives every redrivable execution and waits for each', async () => {
    mockProvisioned();
    mockExecution(sfnMock, 'teardown', 'org-acme', failedTeardown, failedTeardownHistory);
    sfnMock.on(DescribeExecutionCommand, { executionArn: TEARDOWN_ARN }).resolvesOnce(failedTeardown).resolves({ ...failedTeardown, status: 'SUCCEEDED', redriveCount: 1, redriveDate: at(30), stopDate: at(31) });
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: TEARDOWN_MACHINE, statusFilter: 'FAILED' }).resolves({
      executions: [{ executionArn: TEARDOWN_ARN, stateMachineArn: TEARDOWN_MACHINE, name: 'org-acme', status: 'FAILED', startDate: at(10), stopDate: at(20) }],
    });
    sfnMock.on(RedriveExecutionCommand).resolves({ redriveDate: at(30) });

    const run = await tenantctl(['redrive', '--all-failed', '--json']);

    expect(run.code).toBe(0);
    expect(sfnMock).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: TEARDOWN_ARN, clientToken: redriveClientToken({ executionArn: TEARDOWN_ARN, redriveCount: 0 }) });
    expect(run.json()).toEqual({
      dryRun: false,
      results: [
        {
          orgId: 'Acme',
          workflow: 'teardown',
          stateMachine: 'teardown-tenant',
          name: 'org-acme',
          action: 'redriven',
          from: 'failed-state',
          failedState: 'DeleteTenantBucket',
          redriveDate: at(30).toISOString(),
          finalStatus: 'SUCCEEDED',
        },
      ],
    });
  });

  it('says an execution already redriven and running needs nothing more, and exits 0', async () => {
    mockProvisioned();
    mockExecution(sfnMock, 'teardown', 'org-acme', { ...failedTeardown, status: 'RUNNING', stopDate: undefined, redriveCount: 1, redriveDate: at(30) }, redrivenHistory);

    const run = await tenantctl(['redrive', 'Acme', '--no-wait']);

    expect(run.code).toBe(0);
    expect(sfnMock).toHaveReceivedCommandTimes(RedriveExecutionCommand, 0);
    expect(run.stdout).toContain('teardown-tenant org-acme was already redriven (1×, last at 2026-11-23 09:00:30Z) and is RUNNING; nothing to redrive');
  });

  it('takes an orgId or --all-failed, not both and not neither', async () => {
    expect((await tenantctl(['redrive'])).code).toBe(2);
    const both = await tenantctl(['redrive', 'Acme', '--all-failed']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('tenantctl: Give either an orgId or --all-failed, not both. Run `tenantctl redrive --help`.\n');
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
