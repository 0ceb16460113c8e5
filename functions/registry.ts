import type { Context } from 'aws-lambda';
import { handler as applyTenantBucketPolicy } from './apply-tenant-bucket-policy';
import { handler as configureTenantBucket } from './configure-tenant-bucket';
import { handler as createTenantBucket } from './create-tenant-bucket';
import { handler as createTenantUser } from './create-tenant-user';
import { handler as deleteTenantBucket } from './delete-tenant-bucket';
import { handler as deleteTenantCredentials } from './delete-tenant-credentials';
import { handler as deleteTenantUser } from './delete-tenant-user';
import { handler as issueTenantCredentials } from './issue-tenant-credentials';
import { handler as prepareTeardown } from './prepare-teardown';
import { handler as publishOrgProvisioned } from './publish-org-provisioned';
import { handler as publishOrgDeprovisioned } from './publish-org-deprovisioned';
import { handler as publishOrgProvisioningFailed } from './publish-org-provisioning-failed';
import { handler as publishOrgRestored } from './publish-org-restored';
import { handler as recordTenantState } from './record-tenant-state';
import { handler as restoreTenantAccess } from './restore-tenant-access';
import { handler as revokeTenantAccess } from './revoke-tenant-access';
import { handler as validateOrg } from './validate-org';

export type TaskHandler = (event: never, context: Context) => Promise<unknown>;

/**
 * The Lambda behind each `${…FunctionArn}` placeholder of the ASL files: the same map
 * serverless.yml's DefinitionSubstitutions express for AWS, for running the real ASL
 * in-process (workflow tests, local mode).
 */
export const taskHandlersByPlaceholder: Record<string, TaskHandler> = {
  ValidateOrgFunctionArn: validateOrg,
  CreateTenantBucketFunctionArn: createTenantBucket,
  ConfigureTenantBucketFunctionArn: configureTenantBucket,
  CreateTenantUserFunctionArn: createTenantUser,
  IssueTenantCredentialsFunctionArn: issueTenantCredentials,
  ApplyTenantBucketPolicyFunctionArn: applyTenantBucketPolicy,
  PublishOrgProvisionedFunctionArn: publishOrgProvisioned,
  PublishOrgProvisioningFailedFunctionArn: publishOrgProvisioningFailed,
  DeleteTenantCredentialsFunctionArn: deleteTenantCredentials,
  DeleteTenantUserFunctionArn: deleteTenantUser,
  DeleteTenantBucketFunctionArn: deleteTenantBucket,
  PrepareTeardownFunctionArn: prepareTeardown,
  RevokeTenantAccessFunctionArn: revokeTenantAccess,
  PublishOrgDeprovisionedFunctionArn: publishOrgDeprovisioned,
  RecordTenantStateFunctionArn: recordTenantState,
  RestoreTenantAccessFunctionArn: restoreTenantAccess,
  PublishOrgRestoredFunctionArn: publishOrgRestored,
};

/** `${ValidateOrgFunctionArn}` → `ValidateOrgFunctionArn`, or undefined for a literal ARN. */
export function placeholderOf(resource: string): string | undefined {
  return /^\$\{(\w+)\}$/.exec(resource)?.[1];
}
