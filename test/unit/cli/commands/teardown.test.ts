import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mockExecution, mockNoExecutions } from '../sfn-mock';
import { at, describeOutput, doesNotExist, event, executionArn, history, okTask, provisionedHistory, provisionedOutput, tenantctl, tenantRef } from '../support';

const sfnMock = mockClient(SFNClient);
const eventBridgeMock = mockClient(EventBridgeClient);
const ARN = executionArn('teardown', 'org-acme');

const deprovisioned = {
  published: {
    eventId: 'e-2',
    detail: {
      bucket: 'fusion-rms-acme',
      objectsDeleted: 3,
      retentionDays: 0,
      deleted: ['secret fusion-rms/acme/credentials', 'IAM user rms_acme', 'bucket fusion-rms-acme'],
      leftAlone: [{ resource: 'bucket fusion-rms-acme-0badf00d', reason: 'it is not managed by tenant-provisioner' }],
    },
  },
};

beforeEach(() => {
  sfnMock.reset();
  eventBridgeMock.reset();
  mockNoExecutions(sfnMock);
  eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-2' }] });
  mockExecution(sfnMock, 'provision', 'org-acme', describeOutput('provision', 'org-acme', { stopDate: at(1.5), outputObject: provisionedOutput() }), provisionedHistory());
});

describe('tenantctl teardown', () => {
  it('puts OrgDeleted with the retention, follows the teardown and lists what it deleted and left alone', async () => {
    const done = describeOutput('teardown', 'org-acme', { inputObject: { orgId: 'Acme', retentionDays: 0 }, startDate: at(10), stopDate: at(11), outputObject: deprovisioned });
    mockExecution(sfnMock, 'teardown', 'org-acme', done, history(event.started(10), ...okTask(10.1, 'PrepareTeardown'), ...okTask(10.3, 'RevokeTenantAccess'), event.succeeded(11, deprovisioned)));
    sfnMock.on(DescribeExecutionCommand, { executionArn: ARN }).rejectsOnce(doesNotExist()).rejectsOnce(doesNotExist()).resolves(done);

    const run = await tenantctl(['teardown', 'Acme', '--retention-days', '0']);

    expect(run.code).toBe(0);
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ Source: 'pos.signup', DetailType: 'OrgDeleted', Detail: JSON.stringify({ orgId: 'Acme', retentionDays: 0 }), EventBusName: 'default' }],
    });
    expect(run.stdout).toContain('  started: teardown-tenant org-acme\n    ✓ PrepareTeardown                100 ms\n    ✓ RevokeTenantAccess             100 ms\n  SUCCEEDED in 1.0 s\n');
    expect(run.stdout).toContain('Deleted (3 objects)\n  secret fusion-rms/acme/credentials\n  IAM user rms_acme\n  bucket fusion-rms-acme\n');
    expect(run.stdout).toContain("Left alone (not the tenant's)\n  bucket fusion-rms-acme-0badf00d: it is not managed by tenant-provisioner\n");
  });

  it('stops following once access is revoked and the retention wait begins, and exits 0', async () => {
    const waiting = describeOutput('teardown', 'org-acme', { status: 'RUNNING', startDate: at(10) });
    const retention = { teardown: { tenant: tenantRef(), retentionDays: 7, retentionSeconds: 604_800, settleSeconds: 0 } };
    mockExecution(
      sfnMock,
      'teardown',
      'org-acme',
      waiting,
      history(event.started(10), ...okTask(10.1, 'PrepareTeardown', retention), ...okTask(10.3, 'RevokeTenantAccess', retention), event.entered(10.5, 'Wait', 'WaitRetentionPeriod', retention)),
    );
    sfnMock.on(DescribeExecutionCommand, { executionArn: ARN }).rejectsOnce(doesNotExist()).rejectsOnce(doesNotExist()).resolves(waiting);

    const run = await tenantctl(['teardown', 'Acme', '--json']);

    expect(run.code).toBe(0);
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, { Entries: [expect.objectContaining({ Detail: JSON.stringify({ orgId: 'Acme' }) })] });
    expect(run.json()).toMatchObject({ outcome: 'started', executionName: 'org-acme', status: 'RUNNING', waiting: { state: 'WaitRetentionPeriod', until: '2026-11-30T09:00:10.500Z' } });
  });

  it('says a teardown that already succeeded needs nothing more', async () => {
    mockExecution(sfnMock, 'teardown', 'org-acme', describeOutput('teardown', 'org-acme', { startDate: at(10), stopDate: at(11) }));

    const run = await tenantctl(['teardown', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  nothing to do: the tenant was already torn down (org-acme SUCCEEDED)');
  });

  it('says the router parks an OrgDeleted whose teardown name was taken before the tenant was provisioned', async () => {
    mockExecution(sfnMock, 'teardown', 'org-acme', describeOutput('teardown', 'org-acme', { startDate: at(-60), stopDate: at(-59) }));

    const run = await tenantctl(['teardown', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('its teardown org-acme started before the provisioning org-acme it should tear down');
    expect(run.stdout).not.toContain('already torn down');
  });

  it('refuses a retention outside 0–360 days as bad usage', async () => {
    const run = await tenantctl(['teardown', 'Acme', '--retention-days', '400']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tenantctl: --retention-days "400" must be a whole number from 0 to 360. Run `tenantctl teardown --help`.\n');
    expect(eventBridgeMock.calls()).toHaveLength(0);
  });
});
