import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mockExecution, mockNoExecutions } from '../sfn-mock';
import { at, describeOutput, doesNotExist, event, executionArn, history, okTask, PROVISION_MACHINE, provisionedHistory, provisionedOutput, tenantctl, tenantRef } from '../support';

const sfnMock = mockClient(SFNClient);
const eventBridgeMock = mockClient(EventBridgeClient);
const stsMock = mockClient(STSClient);

const ARN = executionArn('provision', 'org-acme');
const succeeded = describeOutput('provision', 'org-acme', { inputObject: { orgId: 'Acme', orgName: 'Acme Ltd' }, stopDate: at(1.5), outputObject: provisionedOutput() });

/** The router starts org-acme after the event: unknown at first, then it exists and succeeds. */
function routerStartsProvisioning(): void {
  mockExecution(sfnMock, 'provision', 'org-acme', succeeded, provisionedHistory());
  sfnMock.on(DescribeExecutionCommand, { executionArn: ARN }).rejectsOnce(doesNotExist()).rejectsOnce(doesNotExist()).resolves(succeeded);
}

beforeEach(() => {
  for (const mock of [sfnMock, eventBridgeMock, stsMock]) mock.reset();
  mockNoExecutions(sfnMock);
  eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
});

describe('tenantctl provision', () => {
  it("puts OrgCreated on the stage's bus as the POS system does, then follows the execution the router starts to its end", async () => {
    routerStartsProvisioning();

    const run = await tenantctl(['provision', 'Acme', '--name', 'Acme Ltd']);

    expect(run.code).toBe(0);
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ Source: 'pos.signup', DetailType: 'OrgCreated', Detail: JSON.stringify({ orgId: 'Acme', orgName: 'Acme Ltd' }), EventBusName: 'default' }],
    });
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    expect(run.stdout).toContain('▶ OrgCreated orgId=Acme orgName=Acme Ltd — AWS account 123456789012, us-east-1, stage dev');
    expect(run.stdout).toContain('  event evt-1 put on the bus (source pos.signup)');
    expect(run.stdout).toContain('  started: provision-tenant org-acme');
    expect(run.stdout).toMatch(/ {4}✓ ValidateOrg +100 ms\n/);
    expect(run.stdout).toMatch(/ {4}✓ PublishOrgProvisioned +100 ms\n {2}SUCCEEDED in 1\.5 s\n/);
    expect(run.stdout).toContain('  bucket      fusion-rms-acme (us-east-1)');
    expect(run.stdout).toContain('  handoff     tenantctl credentials Acme');
  });

  it('prints one JSON document with the event, the execution and the tenant', async () => {
    routerStartsProvisioning();

    const run = await tenantctl(['provision', 'Acme', '--name', 'Acme Ltd', '--json']);

    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      orgId: 'Acme',
      mode: 'aws',
      event: { detailType: 'OrgCreated', eventId: 'evt-1' },
      outcome: 'started',
      workflow: 'provision',
      stateMachine: 'provision-tenant',
      executionName: 'org-acme',
      status: 'SUCCEEDED',
      startDate: at(0).toISOString(),
      stopDate: at(1.5).toISOString(),
      tenant: provisionedOutput().published.detail,
    });
  });

  it('uses the bus of TENANT_PROVISIONER_EVENT_BUS, the stage of --stage and the account from STS', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '210987654321' });
    const arn = 'arn:aws:states:us-east-1:210987654321:execution:tenant-provisioner-prod-provision-tenant:org-acme';
    sfnMock.on(DescribeExecutionCommand, { executionArn: arn }).rejectsOnce(doesNotExist()).rejectsOnce(doesNotExist()).resolves({ ...succeeded, executionArn: arn });

    const run = await tenantctl(['provision', 'Acme', '--stage', 'prod', '--no-wait'], { TENANT_PROVISIONER_ACCOUNT_ID: '', TENANT_PROVISIONER_EVENT_BUS: 'pos-events' });

    expect(run.code).toBe(0);
    expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, { Entries: [expect.objectContaining({ EventBusName: 'pos-events' })] });
    expect(sfnMock).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: arn });
    expect(run.stdout).toContain('  not following it (--no-wait): tenantctl status Acme');
    expect(sfnMock).toHaveReceivedCommandTimes(GetExecutionHistoryCommand, 0);
  });

  it('exits 1 with the failed state, the error and what would help when the provisioning rolls back', async () => {
    const failed = describeOutput('provision', 'org-acme', {
      status: 'FAILED',
      stopDate: at(3),
      error: 'TenantUserConflictError',
      cause: JSON.stringify({ errorType: 'TenantUserConflictError', errorMessage: 'IAM user rms_acme already exists and is not tagged for OrgId "Acme"' }),
      redriveStatus: 'REDRIVABLE',
    });
    mockExecution(
      sfnMock,
      'provision',
      'org-acme',
      failed,
      history(
        event.started(0),
        ...okTask(0.1, 'ValidateOrg', { tenant: tenantRef() }),
        event.entered(0.3, 'Task', 'CreateTenantUser'),
        event.scheduled(0.3),
        event.lambdaFailed(0.4, 'TenantUserConflictError', 'IAM user rms_acme already exists and is not tagged for OrgId "Acme"'),
        event.exited(0.4, 'Task', 'CreateTenantUser'),
        event.entered(0.5, 'Pass', 'PrepareBucketRollback'),
        event.exited(0.5, 'Pass', 'PrepareBucketRollback'),
        event.entered(2.9, 'Fail', 'ProvisioningFailed'),
        event.failed(3, 'TenantUserConflictError', 'IAM user rms_acme already exists and is not tagged for OrgId "Acme"'),
      ),
    );
    sfnMock.on(DescribeExecutionCommand, { executionArn: ARN }).rejectsOnce(doesNotExist()).resolves(failed);

    const run = await tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('    ↯ CreateTenantUser               TenantUserConflictError caught → PrepareBucketRollback\n');
    expect(run.stdout).toContain('    ✗ ProvisioningFailed             TenantUserConflictError\n');
    expect(run.stdout).toContain('  FAILED at ProvisioningFailed after 3.0 s: TenantUserConflictError — IAM user rms_acme already exists and is not tagged for OrgId "Acme"\n');
    expect(run.stdout).toContain('  instead: fix the cause, then: tenantctl provision Acme --new-generation\n');
  });

  it('does not follow anything when the tenant already exists: the router re-emits OrgProvisioned', async () => {
    mockExecution(sfnMock, 'provision', 'org-acme', succeeded, provisionedHistory());

    const run = await tenantctl(['provision', 'Acme', '--json']);

    expect(run.code).toBe(0);
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(run.json()).toMatchObject({ outcome: 'done', executionName: 'org-acme', message: 'the tenant already exists (org-acme SUCCEEDED); the router re-emits OrgProvisioned' });
  });

  it('follows the next generation after a completed teardown', async () => {
    mockExecution(sfnMock, 'provision', 'org-acme', succeeded, provisionedHistory());
    mockExecution(sfnMock, 'teardown', 'org-acme', describeOutput('teardown', 'org-acme', { startDate: at(10), stopDate: at(12) }));
    const g2 = executionArn('provision', 'org-acme-g2');
    mockExecution(sfnMock, 'provision', 'org-acme-g2', { ...succeeded, executionArn: g2, name: 'org-acme-g2' }, provisionedHistory());
    sfnMock.on(DescribeExecutionCommand, { executionArn: g2 }).rejectsOnce(doesNotExist()).rejectsOnce(doesNotExist()).resolves({ ...succeeded, executionArn: g2, name: 'org-acme-g2' });

    const run = await tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  started: provision-tenant org-acme-g2');
  });

  it('says a failed provisioning is left to operators, and exits 1', async () => {
    mockExecution(sfnMock, 'provision', 'org-acme', describeOutput('provision', 'org-acme', { status: 'FAILED', stopDate: at(3), error: 'States.Timeout' }));

    const run = await tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  parked: its provisioning org-acme FAILED; the router leaves that to operators: `tenantctl redrive Acme` or `tenantctl provision Acme --new-generation`');
  });

  it('exits 1 in one sentence when no execution appears after the event', async () => {
    const run = await tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "tenantctl: The router started no provision-tenant execution org-acme within 0 s of event evt-1: check the router's logs (a rejected event is reported as OrgProvisioningFailed)\n",
    );
  });

  it('exits 1 when EventBridge rejects the entry', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });

    const run = await tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tenantctl: EventPublishError: EventBridge rejected the OrgCreated event on bus default: InternalFailure (try again)\n');
  });

  it('refuses a region that is not a region as bad usage, before any AWS call', async () => {
    const run = await tenantctl(['provision', 'Acme', '--region', 'moon-1']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tenantctl: Invalid OrgCreated: region "moon-1" is invalid/);
    expect(eventBridgeMock.calls()).toHaveLength(0);
  });

  describe('--new-generation', () => {
    const rolledBack = describeOutput('provision', 'org-acme', { status: 'FAILED', stopDate: at(3), error: 'TenantUserConflictError', redriveStatus: 'REDRIVABLE' });

    it('starts org-<slug>-g<N+1> directly with the same input, not through the router, and follows it', async () => {
      mockExecution(sfnMock, 'provision', 'org-acme', rolledBack, history(event.started(0), event.entered(2.9, 'Fail', 'ProvisioningFailed'), event.failed(3, 'TenantUserConflictError', 'x')));
      const g2 = executionArn('provision', 'org-acme-g2');
      mockExecution(sfnMock, 'provision', 'org-acme-g2', { ...succeeded, executionArn: g2, name: 'org-acme-g2' }, provisionedHistory());
      // Unknown while the generations are walked; started by StartExecution.
      sfnMock.on(DescribeExecutionCommand, { executionArn: g2 }).rejectsOnce(doesNotExist()).resolves({ ...succeeded, executionArn: g2, name: 'org-acme-g2' });
      sfnMock.on(StartExecutionCommand).resolves({ executionArn: g2, startDate: at(10) });

      const run = await tenantctl(['provision', 'Acme', '--name', 'Acme Ltd', '--new-generation']);

      expect(run.code).toBe(0);
      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
      expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: PROVISION_MACHINE, name: 'org-acme-g2', input: JSON.stringify({ orgId: 'Acme', orgName: 'Acme Ltd' }) });
      expect(run.stdout).toContain('▶ provision-tenant org-acme-g2 started directly (--new-generation; the previous generation org-acme stays as it is)');
      expect(run.stdout).toContain('  SUCCEEDED in 1.5 s');
    });

    it('is refused while the tenant exists', async () => {
      mockExecution(sfnMock, 'provision', 'org-acme', succeeded, provisionedHistory());

      const run = await tenantctl(['provision', 'Acme', '--new-generation']);

      expect(run.code).toBe(1);
      expect(run.stderr).toBe('tenantctl: Not starting a new generation: the tenant exists (org-acme SUCCEEDED and was not torn down)\n');
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    });

    it('is refused while an execution of the tenant runs', async () => {
      mockExecution(sfnMock, 'provision', 'org-acme', { ...rolledBack, status: 'RUNNING', stopDate: undefined });

      const run = await tenantctl(['provision', 'Acme', '--new-generation']);

      expect(run.code).toBe(1);
      expect(run.stderr).toBe('tenantctl: Not starting a new generation: provision-tenant org-acme is RUNNING (tenantctl status Acme)\n');
    });

    it('is refused for an orgId that differs only in case from the existing one', async () => {
      mockExecution(sfnMock, 'provision', 'org-acme', { ...rolledBack, input: JSON.stringify({ orgId: 'ACME' }) });

      const run = await tenantctl(['provision', 'Acme', '--new-generation']);

      expect(run.code).toBe(1);
      expect(run.stderr).toBe('tenantctl: orgId "Acme" collides case-insensitively with existing org "ACME"\n');
    });
  });
});
