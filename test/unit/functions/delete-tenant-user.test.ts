import 'aws-sdk-client-mock-jest';
import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteConflictException,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  IAMServiceException,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  NoSuchEntityException,
  RemoveUserFromGroupCommand,
  type Tag,
} from '@aws-sdk/client-iam';
import { handler } from '../../../functions/lambda/delete-tenant-user';
import { deleteTenantUser } from '../../../functions/delete-tenant-user';
import { loadConfig } from '../../../functions/lib/config';
import { createLogger } from '../../../functions/lib/logger';
import type { DeletionInput } from '../../../functions/lib/types';
import { noSuchUser } from '../../support/aws-errors';
import { orgTags, SAMPLE_EXECUTION_NAME, SAMPLE_RUN_ID, SAMPLE_TENANT_PREFIX_POLICY_ARN, samplePrefixTenant, sampleTenant } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedIam } from '../../support/mocked-clients';

const { iamMock, iam } = mockedIam();
const config = loadConfig();
const deps = { iam, config, logger: createLogger() };

/** The second generation's provisioning (its run id is the `ProvisionedBy` of what it creates); generation 1 came before. */
const tenant = sampleTenant({ generation: 2, executionName: 'acme-bistro-42-g2-provision' });
const rollback: DeletionInput = { scope: 'execution', tenant };
const teardown: DeletionInput = { scope: 'tenant', tenant };
const UserName = tenant.userName;

function givenUser(tags: Tag[] | undefined, accessKeyIds: string[] = []): void {
  iamMock.on(GetUserCommand).resolves({
    User: { UserName, UserId: 'AIDAEXAMPLE', Arn: `arn:aws:iam::123456789012:user/tenants/test/${UserName}`, Path: '/tenants/test/', CreateDate: new Date(), Tags: tags },
  });
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: accessKeyIds.map((AccessKeyId) => ({ UserName, AccessKeyId, Status: 'Active' })), IsTruncated: false });
}

/** Nothing attached to the user but what a test adds: every list answers with one empty page. */
function givenNoBlockers(): void {
  iamMock.on(DeleteLoginProfileCommand).rejects(new NoSuchEntityException({ $metadata: {}, message: `Login Profile for User ${UserName} cannot be found.` }));
  iamMock.on(ListSigningCertificatesCommand).resolves({ Certificates: [], IsTruncated: false });
  iamMock.on(ListSSHPublicKeysCommand).resolves({ SSHPublicKeys: [], IsTruncated: false });
  iamMock.on(ListServiceSpecificCredentialsCommand).resolves({ ServiceSpecificCredentials: [] });
  iamMock.on(ListMFADevicesCommand).resolves({ MFADevices: [], IsTruncated: false });
  iamMock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  iamMock.on(ListUserPoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
  iamMock.on(ListGroupsForUserCommand).resolves({ Groups: [], IsTruncated: false });
}

const conflict = () => new DeleteConflictException({ $metadata: {}, message: 'Cannot delete entity, must delete policies first.' });
const commandNames = () => iamMock.calls().map((call) => call.args[0].constructor.name);

beforeEach(() => {
  iamMock.on(GetUserCommand).rejects(noSuchUser(UserName));
  iamMock.on(DeleteAccessKeyCommand).resolves({});
  iamMock.on(DeleteUserCommand).resolves({});
});

describe('deleteTenantUser', () => {
  it.each([rollback, teardown])('succeeds without deleting anything when the user does not exist (scope $scope)', async (input) => {
    await expect(deleteTenantUser(input, deps)).resolves.toEqual({ deleted: [], skipped: [] });

    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 0);
  });

  it('rollback deletes the user this execution created, its access keys first', async () => {
    givenUser(orgTags(tenant.provisionedBy), ['AKIANEW0000000000001']);

    const result = await deleteTenantUser(rollback, deps);

    expect(commandNames()).toEqual(['GetUserCommand', 'ListAccessKeysCommand', 'DeleteAccessKeyCommand', 'DeleteUserCommand']);
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { UserName, AccessKeyId: 'AKIANEW0000000000001' });
    expect(iamMock).toHaveReceivedCommandWith(DeleteUserCommand, { UserName });
    expect(result).toEqual({ deleted: [`access key AKIANEW0000000000001 of IAM user ${UserName}`, `IAM user ${UserName}`], skipped: [] });
  });

  it('rollback leaves a user another execution created untouched', async () => {
    givenUser(orgTags(SAMPLE_RUN_ID), ['AKIAOLD0000000000001']);

    const result = await deleteTenantUser(rollback, deps);

    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    expect(result.skipped).toEqual([{ resource: `IAM user ${UserName}`, reason: `it was provisioned by "${SAMPLE_RUN_ID}", not by this execution` }]);
  });

  it('rollback leaves a user an earlier run of the same execution name created (Step Functions reuses a name after 90 days)', async () => {
    givenUser(orgTags(SAMPLE_RUN_ID), ['AKIAOLD0000000000001']);
    const sameName: DeletionInput = { scope: 'execution', tenant: { ...tenant, executionName: SAMPLE_EXECUTION_NAME, provisionedBy: `${SAMPLE_EXECUTION_NAME}.fedcba987654` } };

    const result = await deleteTenantUser(sameName, deps);

    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    expect(result.deleted).toEqual([]);
  });

  it('teardown deletes the org user whichever execution created it', async () => {
    givenUser(orgTags(SAMPLE_RUN_ID), ['AKIAOLD0000000000001', 'AKIAOLD0000000000002']);

    const result = await deleteTenantUser(teardown, deps);

    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 2);
    expect(iamMock).toHaveReceivedCommandWith(DeleteUserCommand, { UserName });
    expect(result.deleted).toContain(`IAM user ${UserName}`);
  });

  it.each<[string, Tag[] | undefined, string]>([
    ["another org's user", orgTags(SAMPLE_RUN_ID, 'acme-bistro-42'), 'it belongs to OrgId "acme-bistro-42"'],
    ['an untagged user', undefined, 'it is not managed by tenant-provisioner'],
  ])('teardown leaves %s untouched', async (_label, tags, reason) => {
    givenUser(tags, ['AKIAOTHER00000000001']);

    const result = await deleteTenantUser(teardown, deps);

    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    expect(result).toEqual({ deleted: [], skipped: [{ resource: `IAM user ${UserName}`, reason }] });
  });

  // moto accepts DeleteUser whatever the user still has; AWS answers DeleteConflict. This path is mock-only.
  it('resolves DeleteConflict by removing the login profile and an inline policy, then deletes the user', async () => {
    givenUser(orgTags(tenant.provisionedBy));
    givenNoBlockers();
    iamMock.on(DeleteLoginProfileCommand).resolves({});
    iamMock.on(ListUserPoliciesCommand).resolves({ PolicyNames: ['added-by-hand'], IsTruncated: false });
    iamMock.on(DeleteUserPolicyCommand).resolves({});
    iamMock.on(DeleteUserCommand).rejectsOnce(conflict()).resolves({});

    const result = await deleteTenantUser(rollback, deps);

    expect(iamMock).toHaveReceivedCommandWith(DeleteLoginProfileCommand, { UserName });
    expect(iamMock).toHaveReceivedCommandWith(DeleteUserPolicyCommand, { UserName, PolicyName: 'added-by-hand' });
    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 2);
    const names = commandNames();
    expect(names.indexOf('DeleteUserPolicyCommand')).toBeLessThan(names.lastIndexOf('DeleteUserCommand'));
    expect(names.indexOf('DeleteLoginProfileCommand')).toBeLessThan(names.lastIndexOf('DeleteUserCommand'));
    expect(result.deleted).toEqual([`login profile of IAM user ${UserName}`, `inline policy added-by-hand of IAM user ${UserName}`, `IAM user ${UserName}`]);
  });

  // Mock-only, as above: every other kind of blocker IAM names for DeleteUser.
  it('removes certificates, SSH keys, service credentials, MFA devices, managed policies and groups on DeleteConflict', async () => {
    givenUser(orgTags(SAMPLE_RUN_ID));
    givenNoBlockers();
    iamMock.on(ListSigningCertificatesCommand).resolves({ Certificates: [{ UserName, CertificateId: 'CERT1', CertificateBody: '-', Status: 'Active' }] });
    iamMock.on(ListSSHPublicKeysCommand).resolves({ SSHPublicKeys: [{ UserName, SSHPublicKeyId: 'APKASSH1', Status: 'Active', UploadDate: new Date() }] });
    iamMock.on(ListServiceSpecificCredentialsCommand).resolves({
      ServiceSpecificCredentials: [{ UserName, ServiceSpecificCredentialId: 'ACCASSC1', ServiceName: 'codecommit.amazonaws.com', ServiceUserName: 'x', Status: 'Active', CreateDate: new Date() }],
    });
    iamMock.on(ListMFADevicesCommand).resolves({ MFADevices: [{ UserName, SerialNumber: 'arn:aws:iam::123456789012:mfa/phone', EnableDate: new Date() }] });
    iamMock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] });
    iamMock.on(ListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'support', GroupId: 'AGPA1', Arn: 'arn:aws:iam::123456789012:group/support', Path: '/', CreateDate: new Date() }] });
    iamMock.on(DeleteUserCommand).rejectsOnce(conflict()).resolves({});

    await deleteTenantUser(teardown, deps);

    expect(iamMock).toHaveReceivedCommandWith(DeleteSigningCertificateCommand, { UserName, CertificateId: 'CERT1' });
    expect(iamMock).toHaveReceivedCommandWith(DeleteSSHPublicKeyCommand, { UserName, SSHPublicKeyId: 'APKASSH1' });
    expect(iamMock).toHaveReceivedCommandWith(DeleteServiceSpecificCredentialCommand, { UserName, ServiceSpecificCredentialId: 'ACCASSC1' });
    expect(iamMock).toHaveReceivedCommandWith(DeactivateMFADeviceCommand, { UserName, SerialNumber: 'arn:aws:iam::123456789012:mfa/phone' });
    expect(iamMock).toHaveReceivedCommandWith(DetachUserPolicyCommand, { UserName, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    expect(iamMock).toHaveReceivedCommandWith(RemoveUserFromGroupCommand, { UserName, GroupName: 'support' });
    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 2);
  });

  it('rethrows a DeleteConflict that survives the blocker removal, for the state machine to retry', async () => {
    givenUser(orgTags(tenant.provisionedBy));
    givenNoBlockers();
    const stillBlocked = conflict();
    iamMock.on(DeleteUserCommand).rejects(stillBlocked);

    await expect(deleteTenantUser(rollback, deps)).rejects.toBe(stillBlocked);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 2);
  });

  it('counts a user deleted mid-way (NoSuchEntity on DeleteUser) as deleted', async () => {
    givenUser(orgTags(tenant.provisionedBy));
    iamMock.on(DeleteUserCommand).rejects(noSuchUser(UserName));

    await expect(deleteTenantUser(rollback, deps)).resolves.toEqual({ deleted: [`IAM user ${UserName}`], skipped: [] });
  });

  it('leaves the managed policies of a bucket tenant\'s user alone on the happy path: no ListAttachedUserPolicies before DeleteUser', async () => {
    givenUser(orgTags(tenant.provisionedBy), ['AKIANEW0000000000001']);
    givenNoBlockers();

    await deleteTenantUser(teardown, deps);

    expect(iamMock).toHaveReceivedCommandTimes(ListAttachedUserPoliciesCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DetachUserPolicyCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 1);
  });

  it('runs through its Lambda entry, with the clients it makes', async () => {
    givenUser(orgTags(tenant.provisionedBy));
    const context = fakeLambdaContext('tenant-provisioner-test-deleteTenantUser');

    await expect(handler(rollback, context)).resolves.toEqual({ deleted: [`IAM user ${UserName}`], skipped: [] });
    expect(iamMock).toHaveReceivedCommandWith(DeleteUserCommand, { UserName });
  });
});

describe('deleteTenantUser for a prefix tenant', () => {
  /** Generation 2's prefix tenant: its user has the stage's prefix policy attached (CreateTenantUser). */
  const prefixTenant = samplePrefixTenant({ generation: 2, executionName: 'acme-bistro-42-g2-provision' });
  const prefixRollback: DeletionInput = { scope: 'execution', tenant: prefixTenant };
  const prefixTeardown: DeletionInput = { scope: 'tenant', tenant: prefixTenant };
  const attached = (...arns: string[]) => ({ AttachedPolicies: arns.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() })), IsTruncated: false });

  beforeEach(() => {
    iamMock.on(DetachUserPolicyCommand).resolves({});
  });

  it('detaches the prefix policy after the access keys and before DeleteUser, so IAM has no DeleteConflict to refuse', async () => {
    givenUser(orgTags(SAMPLE_RUN_ID), ['AKIAOLD0000000000001']);
    iamMock.on(ListAttachedUserPoliciesCommand).resolves(attached(SAMPLE_TENANT_PREFIX_POLICY_ARN));

    const result = await deleteTenantUser(prefixTeardown, deps);

    expect(commandNames()).toEqual(['GetUserCommand', 'ListAccessKeysCommand', 'DeleteAccessKeyCommand', 'ListAttachedUserPoliciesCommand', 'DetachUserPolicyCommand', 'DeleteUserCommand']);
    expect(iamMock).toHaveReceivedCommandWith(ListAttachedUserPoliciesCommand, { UserName });
    expect(iamMock).toHaveReceivedCommandWith(DetachUserPolicyCommand, { UserName, PolicyArn: SAMPLE_TENANT_PREFIX_POLICY_ARN });
    expect(result).toEqual({
      deleted: [`access key AKIAOLD0000000000001 of IAM user ${UserName}`, `attachment of ${SAMPLE_TENANT_PREFIX_POLICY_ARN} of IAM user ${UserName}`, `IAM user ${UserName}`],
      skipped: [],
    });
  });

  it('detaches every managed policy attached, on every ListAttachedUserPolicies page', async () => {
    givenUser(orgTags(prefixTenant.provisionedBy));
    iamMock
      .on(ListAttachedUserPoliciesCommand)
      .resolvesOnce({ ...attached(SAMPLE_TENANT_PREFIX_POLICY_ARN), IsTruncated: true, Marker: 'page-2' })
      .resolves(attached('arn:aws:iam::aws:policy/ReadOnlyAccess'));

    const result = await deleteTenantUser(prefixRollback, deps);

    expect(iamMock.commandCalls(DetachUserPolicyCommand).map((call) => call.args[0].input.PolicyArn)).toEqual([SAMPLE_TENANT_PREFIX_POLICY_ARN, 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
    expect(iamMock).toHaveReceivedCommandWith(ListAttachedUserPoliciesCommand, { UserName, Marker: 'page-2' });
    expect(result.deleted.at(-1)).toBe(`IAM user ${UserName}`);
  });

  it('counts a policy detached meanwhile (NoSuchEntity) as not its own work, and still deletes the user', async () => {
    givenUser(orgTags(prefixTenant.provisionedBy));
    iamMock.on(ListAttachedUserPoliciesCommand).resolves(attached(SAMPLE_TENANT_PREFIX_POLICY_ARN));
    iamMock.on(DetachUserPolicyCommand).rejects(new NoSuchEntityException({ $metadata: {}, message: `Policy ${SAMPLE_TENANT_PREFIX_POLICY_ARN} was not found.` }));

    const result = await deleteTenantUser(prefixRollback, deps);

    expect(result).toEqual({ deleted: [`IAM user ${UserName}`], skipped: [] });
    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 1);
  });

  it('deletes a user that has nothing attached (a crash before the attachment) without detaching anything', async () => {
    givenUser(orgTags(prefixTenant.provisionedBy));
    iamMock.on(ListAttachedUserPoliciesCommand).resolves(attached());

    await expect(deleteTenantUser(prefixRollback, deps)).resolves.toEqual({ deleted: [`IAM user ${UserName}`], skipped: [] });
    expect(iamMock).toHaveReceivedCommandTimes(DetachUserPolicyCommand, 0);
  });

  it('on rollback leaves a user another execution created untouched, its policy attached', async () => {
    givenUser(orgTags(SAMPLE_RUN_ID));
    iamMock.on(ListAttachedUserPoliciesCommand).resolves(attached(SAMPLE_TENANT_PREFIX_POLICY_ARN));

    const result = await deleteTenantUser(prefixRollback, deps);

    expect(result.deleted).toEqual([]);
    expect(result.skipped).toEqual([{ resource: `IAM user ${UserName}`, reason: expect.stringContaining('not by this execution') }]);
    expect(iamMock).toHaveReceivedCommandTimes(ListAttachedUserPoliciesCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DetachUserPolicyCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 0);
  });

  it('rethrows a throttled ListAttachedUserPolicies untouched, before DeleteUser', async () => {
    givenUser(orgTags(prefixTenant.provisionedBy));
    const throttled = new IAMServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    iamMock.on(ListAttachedUserPoliciesCommand).rejects(throttled);

    await expect(deleteTenantUser(prefixRollback, deps)).rejects.toBe(throttled);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteUserCommand, 0);
  });
});
