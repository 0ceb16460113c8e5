import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mockExecution, mockNoExecutions, mockTenantAbsent, mockTenantPresent } from '../sfn-mock';
import { at, describeOutput, event, executionArn, history, okTask, provisionedHistory, provisionedOutput, tenantctl, tenantRef } from '../support';

const sfnMock = mockClient(SFNClient);
const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);
const mocks = { iam: iamMock, s3: s3Mock, secretsManager: secretsMock };

beforeEach(() => {
  for (const mock of [sfnMock, iamMock, s3Mock, secretsMock]) mock.reset();
  mockNoExecutions(sfnMock);
  mockTenantAbsent(mocks);
});

/** A teardown whose DeleteTenantCredentials failed 1 + 2 retries with InvalidParameterException, then the execution failed there. */
function parkedTeardownHistory() {
  const cause = "You can't delete secret fusion-rms/acme/credentials that still has replica regions [us-west-2]";
  return history(
    event.started(10, { orgId: 'Acme', retentionDays: 0 }),
    ...okTask(10.1, 'PrepareTeardown', { teardown: { tenant: tenantRef() } }),
    ...okTask(10.3, 'RevokeTenantAccess', { revoked: { bucketName: 'fusion-rms-acme' } }),
    event.entered(10.5, 'Task', 'DeleteTenantCredentials'),
    event.scheduled(10.5),
    event.lambdaFailed(10.6, 'InvalidParameterException', cause),
    event.scheduled(12.6),
    event.lambdaFailed(12.7, 'InvalidParameterException', cause),
    event.scheduled(16.7),
    event.lambdaFailed(16.8, 'InvalidParameterException', cause),
    event.failed(16.8, 'InvalidParameterException', JSON.stringify({ errorType: 'InvalidParameterException', errorMessage: cause })),
  );
}

describe('tenantctl status', () => {
  it("shows a tenant's provisioning timeline and its resources, each present", async () => {
    mockExecution(sfnMock, 'provision', 'org-acme', describeOutput('provision', 'org-acme', { stopDate: at(1.5), outputObject: provisionedOutput() }), provisionedHistory());
    mockTenantPresent(mocks);

    const run = await tenantctl(['status', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Tenant Acme — AWS account 123456789012, us-east-1, stage dev');
    expect(run.stdout).toContain('provision-tenant  org-acme  SUCCEEDED  started 2026-11-23 09:00:00Z, took 1.5 s');
    expect(run.stdout).toMatch(/\+100 ms {2}✓ ValidateOrg +100 ms/);
    expect(run.stdout).toMatch(/✓ PublishOrgProvisioned/);
    expect(run.stdout).toMatch(/bucket +fusion-rms-acme +present/);
    expect(run.stdout).toMatch(/IAM user +rms_acme +present/);
    expect(run.stdout).toMatch(/access keys +AKIAEXAMPLEKEY000001 \(Active\) +present/);
    expect(run.stdout).toMatch(/secret +fusion-rms\/acme\/credentials +present/);
    expect(sfnMock).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: executionArn('teardown', 'org-acme') });
    expect(sfnMock).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: executionArn('provision', 'org-acme-g2') });
    expect(sfnMock).not.toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: executionArn('provision', 'org-acme-g3') });
    expect(s3Mock).toHaveReceivedCommandWith(GetBucketTaggingCommand, { Bucket: 'fusion-rms-acme', ExpectedBucketOwner: '123456789012' });
  });

  it('prints one JSON document with every execution, its states and the resources', async () => {
    mockExecution(sfnMock, 'provision', 'org-acme', describeOutput('provision', 'org-acme', { stopDate: at(1.5), outputObject: provisionedOutput() }), provisionedHistory());
    mockTenantPresent(mocks);

    const run = await tenantctl(['status', 'Acme', '--json']);

    expect(run.code).toBe(0);
    const document = run.json();
    expect(Object.keys(document).sort()).toEqual(['executions', 'location', 'mode', 'orgId', 'resources', 'slug']);
    expect(document).toMatchObject({ orgId: 'Acme', slug: 'acme', mode: 'aws' });
    expect(document.executions).toEqual([
      expect.objectContaining({ workflow: 'provision', stateMachine: 'provision-tenant', name: 'org-acme', generation: 1, status: 'SUCCEEDED', durationMs: 1500, redriveCount: 0 }),
    ]);
    expect(document.executions[0].states[0]).toEqual({ state: 'ValidateOrg', type: 'Task', run: 0, enteredAt: at(0.1).toISOString(), retries: 0, outcome: 'succeeded', durationMs: 100 });
    expect(document.executions[0]).not.toHaveProperty('redrive');
    expect(document.resources).toEqual({
      region: 'us-east-1',
      bucket: { name: 'fusion-rms-acme', status: 'present', arn: 'arn:aws:s3:::fusion-rms-acme' },
      user: { name: 'rms_acme', status: 'present', arn: 'arn:aws:iam::123456789012:user/tenants/rms_acme' },
      accessKeys: { status: 'present', active: ['AKIAEXAMPLEKEY000001'], inactive: [] },
      secret: { name: 'fusion-rms/acme/credentials', status: 'present', arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fusion-rms/acme/credentials-AbCdEf' },
    });
  });

  it('shows a failed teardown: the failing state, its retries, the error with a readable cause, and that it can be redriven', async () => {
    mockExecution(sfnMock, 'provision', 'org-acme', describeOutput('provision', 'org-acme', { stopDate: at(1.5), outputObject: provisionedOutput() }), provisionedHistory());
    mockExecution(
      sfnMock,
      'teardown',
      'org-acme',
      describeOutput('teardown', 'org-acme', {
        status: 'FAILED',
        startDate: at(10),
        stopDate: at(16.8),
        error: 'InvalidParameterException',
        cause: JSON.stringify({ errorType: 'InvalidParameterException', errorMessage: "You can't delete secret fusion-rms/acme/credentials that still has replica regions [us-west-2]" }),
        redriveStatus: 'REDRIVABLE',
        redriveCount: 0,
      }),
      parkedTeardownHistory(),
    );
    mockTenantPresent(mocks, 'Acme', 'Inactive');

    const run = await tenantctl(['status', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('teardown-tenant  org-acme  FAILED  started 2026-11-23 09:00:10Z, took 6.8 s');
    expect(run.stdout).toMatch(/✗ DeleteTenantCredentials +6\.3 s {2}2 retries {2}InvalidParameterException: You can't delete secret fusion-rms\/acme\/credentials that still has replica regions \[us-west-2\]/);
    expect(run.stdout).toContain(
      "  FAILED at DeleteTenantCredentials (Task): InvalidParameterException — You can't delete secret fusion-rms/acme/credentials that still has replica regions [us-west-2]",
    );
    expect(run.stdout).toContain('  redrivable: yes — `tenantctl redrive Acme` resumes at the failed state DeleteTenantCredentials');
    expect(run.stdout).toMatch(/access keys +AKIAEXAMPLEKEY000001 \(Inactive\) +absent \(none active\)/);
    expect(sfnMock).toHaveReceivedCommandWith(GetExecutionHistoryCommand, { executionArn: executionArn('teardown', 'org-acme'), reverseOrder: true, includeExecutionData: false });
  });

  it("reports a user of the tenant's name that is not the tenant's as absent, with whose it is", async () => {
    iamMock.on(GetUserCommand, { UserName: 'rms_acme' }).resolves({
      User: { UserName: 'rms_acme', Path: '/', UserId: 'AIDAOTHER', Arn: 'arn:aws:iam::123456789012:user/rms_acme', CreateDate: new Date(), Tags: [{ Key: 'Team', Value: 'data' }] },
    });

    const run = await tenantctl(['status', 'Acme', '--json']);

    expect(run.code).toBe(0);
    expect(run.json().executions).toEqual([]);
    expect(run.json().resources).toMatchObject({
      bucket: { name: 'fusion-rms-acme', status: 'absent' },
      user: { name: 'rms_acme', status: 'absent', note: 'a user of that name exists, but it is not managed by tenant-provisioner' },
      accessKeys: { status: 'absent' },
      secret: { status: 'absent' },
    });
  });

  it('refuses a malformed orgId as bad usage without calling AWS', async () => {
    const run = await tenantctl(['status', 'Acme_1']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tenantctl: Invalid OrgCreated: orgId "Acme_1" is invalid: .*Run `tenantctl status --help`\.\n$/);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
