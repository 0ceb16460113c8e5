import {
  DeactivateMFADeviceCommand,
  DeleteConflictException,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  ListServiceSpecificCredentialsCommand,
  paginateListAttachedUserPolicies,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  paginateListUserPolicies,
  RemoveUserFromGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { Logger } from '@aws-lambda-powertools/logger';
import { deleteAccessKey, listAccessKeys } from './lib/access-keys';
import { collect, getUser, removeIfPresent } from './lib/iam-user';
import type { Config } from './lib/config';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { deletionBlocker } from './lib/ownership';
import type { DeletionInput, DeletionResult } from './lib/types';

interface Deps {
  iam: IAMClient;
  config: Config;
  logger: Logger;
}

async function deleteAccessKeys(client: IAMClient, userName: string, deleted: string[]): Promise<void> {
  for (const { AccessKeyId } of await listAccessKeys(client, userName)) {
    if (AccessKeyId && (await deleteAccessKey(client, userName, AccessKeyId))) deleted.push(`access key ${AccessKeyId} of IAM user ${userName}`);
  }
}

/** Detaches every managed policy attached to the user. */
async function detachPolicies(client: IAMClient, userName: string, deleted: string[]): Promise<void> {
  const UserName = userName;
  const attached = await collect(paginateListAttachedUserPolicies({ client }, { UserName }), (page) => page.AttachedPolicies);
  for (const { PolicyArn } of attached) {
    if (PolicyArn && (await removeIfPresent(() => client.send(new DetachUserPolicyCommand({ UserName, PolicyArn }))))) {
      deleted.push(`attachment of ${PolicyArn} of IAM user ${userName}`);
    }
  }
}

/** Removes everything that makes IAM refuse DeleteUser with DeleteConflict. */
async function removeDeleteBlockers(client: IAMClient, userName: string, deleted: string[]): Promise<void> {
  const UserName = userName;
  const of = `of IAM user ${userName}`;
  if (await removeIfPresent(() => client.send(new DeleteLoginProfileCommand({ UserName })))) deleted.push(`login profile ${of}`);
  await deleteAccessKeys(client, userName, deleted);

  const certificates = await collect(paginateListSigningCertificates({ client }, { UserName }), (page) => page.Certificates);
  for (const { CertificateId } of certificates) {
    if (CertificateId && (await removeIfPresent(() => client.send(new DeleteSigningCertificateCommand({ UserName, CertificateId }))))) {
      deleted.push(`signing certificate ${CertificateId} ${of}`);
    }
  }
  const sshKeys = await collect(paginateListSSHPublicKeys({ client }, { UserName }), (page) => page.SSHPublicKeys);
  for (const { SSHPublicKeyId } of sshKeys) {
    if (SSHPublicKeyId && (await removeIfPresent(() => client.send(new DeleteSSHPublicKeyCommand({ UserName, SSHPublicKeyId }))))) {
      deleted.push(`SSH public key ${SSHPublicKeyId} ${of}`);
    }
  }
  const { ServiceSpecificCredentials } = await client.send(new ListServiceSpecificCredentialsCommand({ UserName }));
  for (const { ServiceSpecificCredentialId } of ServiceSpecificCredentials ?? []) {
    if (
      ServiceSpecificCredentialId &&
      (await removeIfPresent(() => client.send(new DeleteServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId }))))
    ) {
      deleted.push(`service-specific credential ${ServiceSpecificCredentialId} ${of}`);
    }
  }
  const mfaDevices = await collect(paginateListMFADevices({ client }, { UserName }), (page) => page.MFADevices);
  for (const { SerialNumber } of mfaDevices) {
    if (SerialNumber && (await removeIfPresent(() => client.send(new DeactivateMFADeviceCommand({ UserName, SerialNumber }))))) {
      deleted.push(`MFA device ${SerialNumber} ${of}`);
    }
  }
  await detachPolicies(client, userName, deleted);
  const inline = await collect(paginateListUserPolicies({ client }, { UserName }), (page) => page.PolicyNames);
  for (const PolicyName of inline) {
    if (await removeIfPresent(() => client.send(new DeleteUserPolicyCommand({ UserName, PolicyName })))) {
      deleted.push(`inline policy ${PolicyName} ${of}`);
    }
  }
  const groups = await collect(paginateListGroupsForUser({ client }, { UserName }), (page) => page.Groups);
  for (const { GroupName } of groups) {
    if (GroupName && (await removeIfPresent(() => client.send(new RemoveUserFromGroupCommand({ UserName, GroupName }))))) {
      deleted.push(`membership ${of} in group ${GroupName}`);
    }
  }
}

/**
 * Deletes the tenant's IAM user: its access keys, then the user. When IAM refuses with
 * DeleteConflict, removes whatever blocks it (login profile, keys, signing certificates,
 * SSH keys, service-specific credentials, MFA devices, policies, group memberships) and
 * deletes it again. Scope `execution` (rollback) deletes only a user this execution
 * created; scope `tenant` (teardown) the org's user. Any other user is left alone and
 * reported in `skipped`. A prefix tenant's user has its policies detached before DeleteUser.
 *
 * Safe to repeat: a user or blocker that is already gone counts as deleted.
 */
export async function deleteTenantUser(input: DeletionInput, deps: Deps): Promise<DeletionResult> {
  const { userName } = input.tenant;
  const result: DeletionResult = { deleted: [], skipped: [] };
  const resource = `IAM user ${userName}`;

  const user = await getUser(deps.iam, userName);
  if (!user) return result;
  const reason = deletionBlocker(input.scope, user.Tags, input.tenant);
  if (reason) {
    result.skipped.push({ resource, reason });
    deps.logger.info('Left tenant user alone', { scope: input.scope, userName, reason });
    return result;
  }

  await deleteAccessKeys(deps.iam, userName, result.deleted);
  // A prefix tenant's user always has the stage's prefix policy attached, which IAM would refuse
  // DeleteUser for: detached first, so the common case needs no DeleteConflict round.
  if (input.tenant.tenancy === 'prefix') await detachPolicies(deps.iam, userName, result.deleted);
  try {
    await removeIfPresent(() => deps.iam.send(new DeleteUserCommand({ UserName: userName })));
  } catch (err) {
    if (!(err instanceof DeleteConflictException)) throw err;
    deps.logger.info('IAM refused to delete the tenant user; removing what blocks it', { userName, reason: err.message });
    await removeDeleteBlockers(deps.iam, userName, result.deleted);
    await removeIfPresent(() => deps.iam.send(new DeleteUserCommand({ UserName: userName })));
  }
  result.deleted.push(resource);
  deps.logger.info('Deleted tenant user', { scope: input.scope, ...result });
  return result;
}

/** The Lambda handler over its dependencies: functions/lambda/delete-tenant-user.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function deleteTenantUserHandler(deps: Parameters<typeof deleteTenantUser>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: DeletionInput) => deleteTenantUser(event, deps));
}
