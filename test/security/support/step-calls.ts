/**
 * What each function's code sends, as IAM actions on tenant A's resources: the hand-kept list
 * the security suite (iam-policies.test.ts) proves every role against, read from functions/*.ts.
 * The workflow and integration suites record the SDK commands each function really sends and
 * fail when one needs an action that is not listed here for that function.
 */
import type { World } from './world';

export type ResourceKind =
  | 'bucket'
  | 'object'
  | 'publicMarker'
  | 'user'
  | 'group'
  | 'secret'
  | 'account'
  | 'eventBus'
  | 'provisionStateMachine'
  | 'teardownStateMachine'
  | 'restoreStateMachine'
  | 'provisionExecution'
  | 'teardownExecution'
  | 'restoreExecution'
  | 'ledgerTable'
  | 'routerFailedEventsQueue'
  | 'trackerFailedEventsQueue'
  | 'rotationFunction';

export type Context = Record<string, string | string[]>;
export type Tags = Record<string, string>;

export interface Call {
  /** The SDK call (and the part of it) that needs the action. */
  call: string;
  action: string;
  on: ResourceKind;
  /** The call's own context keys (iam:PermissionsBoundary); the tags come from `sends` or the resource. */
  context?: (w: World) => Context;
  /** Set when the call creates the resource: the tags it sends. Otherwise the resource exists and carries its own. */
  sends?: (w: World) => Tags;
}

export const call = (sdkCall: string, action: string, on: ResourceKind, extra: Pick<Call, 'context' | 'sends'> = {}): Call => ({ call: sdkCall, action, on, ...extra });
export const withBoundary = (w: World) => ({ 'iam:PermissionsBoundary': w.boundaryArn });

/**
 * Every ledger writer's calls (lib/ledger/dynamo-store.ts): GetItem with ConsistentRead, PutItem
 * conditioned on the version, and TransactWriteItems of a Put on the tenant and an Update (ADD)
 * of `#live-tenants` — which IAM authorizes as PutItem and UpdateItem (DynamoDB developer guide,
 * "Using IAM with DynamoDB transactions"); TransactWriteItems is no IAM action.
 */
export const LEDGER_CALLS: Call[] = [
  call('GetItem of the tenant or #live-tenants (ConsistentRead)', 'dynamodb:GetItem', 'ledgerTable'),
  call('PutItem of the tenant, conditioned on its version', 'dynamodb:PutItem', 'ledgerTable'),
  call('TransactWriteItems: Put of the tenant', 'dynamodb:PutItem', 'ledgerTable'),
  call('TransactWriteItems: Update (ADD) of #live-tenants', 'dynamodb:UpdateItem', 'ledgerTable'),
];

/** The run guard of the steps that change the tenant (lib/ledger/run-guard.ts): one consistent read of the tenant's item. */
const RUN_GUARD_CALL = call('GetItem of the tenant (ConsistentRead): may this run still act?', 'dynamodb:GetItem', 'ledgerTable');

/** Reading the tenant secret (lib/tenant-secret.ts): its metadata, then its value for what it holds. */
const tenantSecretReadCalls = (holds: string): Call[] => [
  call('DescribeSecret', 'secretsmanager:DescribeSecret', 'secret'),
  call(`GetSecretValue (${holds})`, 'secretsmanager:GetSecretValue', 'secret'),
];

/**
 * How revoke and restore find the tenant (lib/tenant-bucket.ts, lib/access-keys.ts): its user and
 * the user's keys, the secret, and the tags that prove the bucket the tenant's.
 */
const findTenantCalls = (secretHolds: string): Call[] => [
  call('GetUser', 'iam:GetUser', 'user'),
  call('ListAccessKeys', 'iam:ListAccessKeys', 'user'),
  ...tenantSecretReadCalls(secretHolds),
  call('GetBucketTagging', 's3:GetBucketTagging', 'bucket'),
];

/** A publish step's one call (lib/publish.ts). */
const PUT_EVENTS_CALL = call('PutEvents', 'events:PutEvents', 'eventBus');

/** What RotateSecret carries when a step puts a secret on its rotation schedule (lib/rotation-schedule.ts): this stage's rotation function, no rotation now. */
export const scheduleContext = (w: World): Context => ({
  'secretsmanager:RotationLambdaARN': w.functions.get('rotateTenantCredentials')?.functionArn ?? 'no rotateTenantCredentials function',
  'secretsmanager:RotateImmediately': 'false',
});

/**
 * Putting the tenant's secret on its rotation schedule (lib/rotation-schedule.ts schedule):
 * RotateSecret with RotationLambdaARN, RotationRules and RotateImmediately false, which needs
 * lambda:InvokeFunction on the rotation function of its caller too (API reference, RotateSecret).
 */
const SCHEDULE_ROTATION_CALLS: Call[] = [
  call('RotateSecret (RotationLambdaARN, RotationRules, RotateImmediately false)', 'secretsmanager:RotateSecret', 'secret', { context: scheduleContext }),
  call('RotateSecret names the rotation function', 'lambda:InvokeFunction', 'rotationFunction'),
  call('DescribeSecret (a repeat refused while the first is tested: is the schedule already set?)', 'secretsmanager:DescribeSecret', 'secret'),
];

/** UpdateSecretVersionStage of one label, as finishSecret moves it. */
const versionStage = (stage: string) => (): Context => ({ 'secretsmanager:VersionStage': stage });

/** Function key (serverless.yml) → every call its code makes, read from functions/<kebab-name>.ts and the lib files it uses. */
export const STEP_CALLS: Record<string, Call[]> = {
  // validate-org.ts, prepare-teardown.ts: pure, no AWS call.
  validateOrg: [],
  prepareTeardown: [],
  // create-tenant-bucket.ts
  createTenantBucket: [
    RUN_GUARD_CALL,
    call('HeadBucket (us-east-1: tells "ours" from "free")', 's3:ListBucket', 'bucket'),
    call('GetBucketTagging (adoption)', 's3:GetBucketTagging', 'bucket'),
    call('CreateBucket', 's3:CreateBucket', 'bucket'),
    call('CreateBucket with ObjectOwnership', 's3:PutBucketOwnershipControls', 'bucket'),
    call('CreateBucket with CreateBucketConfiguration.Tags', 's3:TagResource', 'bucket'),
    call('PutBucketTagging', 's3:PutBucketTagging', 'bucket'),
  ],
  // configure-tenant-bucket.ts
  configureTenantBucket: [
    RUN_GUARD_CALL,
    call('PutBucketOwnershipControls (adopted bucket)', 's3:PutBucketOwnershipControls', 'bucket'),
    call('PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 'bucket'),
  ],
  // apply-tenant-bucket-policy.ts, lib/ledger/run-guard.ts
  applyTenantBucketPolicy: [
    RUN_GUARD_CALL,
    call('PutBucketPolicy', 's3:PutBucketPolicy', 'bucket'),
    call('s3control GetPublicAccessBlock (after AccessDenied)', 's3:GetAccountPublicAccessBlock', 'account'),
  ],
  // prove-tenant-credentials.ts: the key from the secret; what it then sends as the tenant is TENANT_SIGNED_ACTIONS.
  // prove-tenant-credentials.ts: then puts the proven key on its rotation schedule (lib/rotation-schedule.ts).
  proveTenantCredentials: [call('GetSecretValue (the key to prove)', 'secretsmanager:GetSecretValue', 'secret'), ...SCHEDULE_ROTATION_CALLS],
  // create-tenant-user.ts
  createTenantUser: [
    RUN_GUARD_CALL,
    call('CreateUser with PermissionsBoundary and Tags', 'iam:CreateUser', 'user', { context: withBoundary, sends: (w) => w.a.userTags }),
    call('CreateUser with Tags', 'iam:TagUser', 'user', { sends: (w) => w.a.userTags }),
    call('GetUser (adoption)', 'iam:GetUser', 'user'),
  ],
  // issue-tenant-credentials.ts, lib/access-keys.ts, lib/tenant-secret.ts
  issueTenantCredentials: [
    RUN_GUARD_CALL,
    call('ListAccessKeys', 'iam:ListAccessKeys', 'user'),
    call('DeleteAccessKey (stray keys)', 'iam:DeleteAccessKey', 'user'),
    call('CreateAccessKey', 'iam:CreateAccessKey', 'user'),
    ...tenantSecretReadCalls('the key it holds'),
    call('CreateSecret with Tags', 'secretsmanager:CreateSecret', 'secret', { sends: (w) => w.a.secretTags }),
    call('CreateSecret with Tags', 'secretsmanager:TagResource', 'secret', { sends: (w) => w.a.secretTags }),
    call('RestoreSecret', 'secretsmanager:RestoreSecret', 'secret'),
    call('PutSecretValue', 'secretsmanager:PutSecretValue', 'secret'),
  ],
  // delete-tenant-credentials.ts, lib/access-keys.ts, lib/tenant-secret.ts
  deleteTenantCredentials: [
    ...tenantSecretReadCalls('the key it holds'),
    call('DeleteSecret', 'secretsmanager:DeleteSecret', 'secret'),
    call('ListAccessKeys', 'iam:ListAccessKeys', 'user'),
    call('ListUserTags', 'iam:ListUserTags', 'user'),
    call('DeleteAccessKey', 'iam:DeleteAccessKey', 'user'),
  ],
  // delete-tenant-user.ts, lib/access-keys.ts
  deleteTenantUser: [
    call('GetUser', 'iam:GetUser', 'user'),
    call('ListAccessKeys', 'iam:ListAccessKeys', 'user'),
    call('DeleteAccessKey', 'iam:DeleteAccessKey', 'user'),
    call('DeleteUser', 'iam:DeleteUser', 'user'),
    call('DeleteLoginProfile', 'iam:DeleteLoginProfile', 'user'),
    call('ListSigningCertificates', 'iam:ListSigningCertificates', 'user'),
    call('DeleteSigningCertificate', 'iam:DeleteSigningCertificate', 'user'),
    call('ListSSHPublicKeys', 'iam:ListSSHPublicKeys', 'user'),
    call('DeleteSSHPublicKey', 'iam:DeleteSSHPublicKey', 'user'),
    call('ListServiceSpecificCredentials', 'iam:ListServiceSpecificCredentials', 'user'),
    call('DeleteServiceSpecificCredential', 'iam:DeleteServiceSpecificCredential', 'user'),
    call('ListMFADevices', 'iam:ListMFADevices', 'user'),
    call('DeactivateMFADevice', 'iam:DeactivateMFADevice', 'user'),
    call('ListAttachedUserPolicies', 'iam:ListAttachedUserPolicies', 'user'),
    call('DetachUserPolicy', 'iam:DetachUserPolicy', 'user'),
    call('ListUserPolicies', 'iam:ListUserPolicies', 'user'),
    call('DeleteUserPolicy', 'iam:DeleteUserPolicy', 'user'),
    call('ListGroupsForUser', 'iam:ListGroupsForUser', 'user'),
    call('RemoveUserFromGroup', 'iam:RemoveUserFromGroup', 'group'),
  ],
  // delete-tenant-bucket.ts
  deleteTenantBucket: [
    call('GetBucketTagging', 's3:GetBucketTagging', 'bucket'),
    call('DeleteBucketPolicy', 's3:DeleteBucketPolicy', 'bucket'),
    call('ListObjectVersions', 's3:ListBucketVersions', 'bucket'),
    call('DeleteObjects (current versions)', 's3:DeleteObject', 'object'),
    call('DeleteObjects (with VersionId)', 's3:DeleteObjectVersion', 'object'),
    call('DeleteBucket', 's3:DeleteBucket', 'bucket'),
    call('PutPublicAccessBlock (a bucket kept after its teardown, locked down)', 's3:PutBucketPublicAccessBlock', 'bucket'),
    // lib/bucket-walk.ts: why the versions S3 refused cannot be deleted (only when a walk ends so).
    call('GetBucketVersioning (MFA delete?)', 's3:GetBucketVersioning', 'bucket'),
    call('GetObjectRetention of a refused version', 's3:GetObjectRetention', 'object'),
    call('GetObjectLegalHold of a refused version', 's3:GetObjectLegalHold', 'object'),
  ],
  // revoke-tenant-access.ts, lib/access-keys.ts, lib/tenant-secret.ts
  revokeTenantAccess: [
    RUN_GUARD_CALL,
    ...findTenantCalls('the bucket it names'),
    call('UpdateAccessKey (Inactive)', 'iam:UpdateAccessKey', 'user'),
    call('DeleteBucketPolicy', 's3:DeleteBucketPolicy', 'bucket'),
    call('CancelRotateSecret (lib/rotation-schedule.ts cancel, after its DescribeSecret)', 'secretsmanager:CancelRotateSecret', 'secret'),
  ],
  // restore-tenant-access.ts, lib/tenant-bucket.ts, lib/iam-user.ts, lib/access-keys.ts, lib/tenant-secret.ts, lib/bucket-tags.ts
  restoreTenantAccess: [
    RUN_GUARD_CALL,
    ...findTenantCalls('the bucket and key it names'),
    call('UpdateAccessKey (Active)', 'iam:UpdateAccessKey', 'user'),
    ...SCHEDULE_ROTATION_CALLS,
  ],
  // rotate-tenant-credentials.ts (Secrets Manager's four steps), lib/rotation/*, lib/tenant-secret.ts, lib/access-keys.ts, lib/publish.ts
  rotateTenantCredentials: [
    call('DescribeSecret (every step: rotation enabled, the token staged AWSPENDING; createSecret: still enabled once the key is made)', 'secretsmanager:DescribeSecret', 'secret'),
    call('GetSecretValue (the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions)', 'secretsmanager:GetSecretValue', 'secret'),
    call('ListAccessKeys (createSecret: the current key active? room for a new one?)', 'iam:ListAccessKeys', 'user'),
    call('DeleteAccessKey (createSecret: a stray, the previous key past its overlap, or its own new key when rotation was cancelled meanwhile)', 'iam:DeleteAccessKey', 'user'),
    call('CreateAccessKey (createSecret)', 'iam:CreateAccessKey', 'user'),
    call('PutSecretValue (createSecret: the new key staged AWSPENDING)', 'secretsmanager:PutSecretValue', 'secret'),
    call('UpdateSecretVersionStage (finishSecret: AWSCURRENT to the new version)', 'secretsmanager:UpdateSecretVersionStage', 'secret', { context: versionStage('AWSCURRENT') }),
    call('UpdateSecretVersionStage (finishSecret: AWSPENDING off it)', 'secretsmanager:UpdateSecretVersionStage', 'secret', { context: versionStage('AWSPENDING') }),
    call('PutEvents (TenantCredentialsRotated)', 'events:PutEvents', 'eventBus'),
  ],
  // retire-previous-tenant-keys.ts (daily), lib/rotation/retire.ts
  retirePreviousTenantKeys: [
    call("ListSecrets (the stage's tenant secrets, filtered by name prefix and ManagedBy)", 'secretsmanager:ListSecrets', 'account'),
    call('DescribeSecret (LastRotatedDate, the AWSPREVIOUS version)', 'secretsmanager:DescribeSecret', 'secret'),
    call('GetSecretValue (the AWSPREVIOUS and AWSCURRENT versions)', 'secretsmanager:GetSecretValue', 'secret'),
    call('ListAccessKeys (is the previous key still active?)', 'iam:ListAccessKeys', 'user'),
    call('UpdateAccessKey (Inactive: the previous key, its overlap passed)', 'iam:UpdateAccessKey', 'user'),
  ],
  // publish-org-*.ts, lib/publish.ts
  publishOrgProvisioned: [PUT_EVENTS_CALL],
  publishOrgProvisioningFailed: [PUT_EVENTS_CALL],
  publishOrgDeprovisioned: [PUT_EVENTS_CALL],
  publishOrgRestored: [PUT_EVENTS_CALL],
  // record-tenant-state.ts, lib/ledger/apply.ts, lib/ledger/dynamo-store.ts
  // record-tenant-state.ts: a confirmed teardown or restore stops the run it superseded.
  recordTenantState: [
    ...LEDGER_CALLS,
    call('StopExecution (the provisioning a teardown superseded)', 'states:StopExecution', 'provisionExecution'),
    call('StopExecution (the teardown a restore superseded)', 'states:StopExecution', 'teardownExecution'),
    call('StopExecution (the restore a teardown superseded)', 'states:StopExecution', 'restoreExecution'),
    call('StartExecution (the next part of a teardown that continues as new)', 'states:StartExecution', 'teardownStateMachine'),
  ],
  // track-execution-status.ts, lib/ledger/*, lib/executions.ts (SfnExecutionPort.stop); the Lambda
  // service sends its failed asynchronous events to its on-failure queue with the tracker's role.
  trackExecutionStatus: [
    ...LEDGER_CALLS,
    call('DescribeExecution (is a provisioning status event still true?)', 'states:DescribeExecution', 'provisionExecution'),
    call('DescribeExecution (is a teardown status event still true?)', 'states:DescribeExecution', 'teardownExecution'),
    call('DescribeExecution (is a restore status event still true?)', 'states:DescribeExecution', 'restoreExecution'),
    call('StopExecution (a redriven provisioning the ledger has moved past)', 'states:StopExecution', 'provisionExecution'),
    call('StopExecution (a redriven teardown the ledger has moved past)', 'states:StopExecution', 'teardownExecution'),
    call('StopExecution (a redriven restore the ledger has moved past)', 'states:StopExecution', 'restoreExecution'),
    call('on-failure destination', 'sqs:SendMessage', 'trackerFailedEventsQueue'),
  ],
  // route-org-event.ts, lib/ledger/*, lib/executions.ts (SfnExecutionPort start/stop), lib/publish.ts;
  // the Lambda service sends the router's failed asynchronous events to its on-failure queue with
  // the router's role. It decides from the ledger: no DescribeExecution any more.
  routeOrgEvent: [
    ...LEDGER_CALLS,
    call('StartExecution (provision)', 'states:StartExecution', 'provisionStateMachine'),
    call('StartExecution (teardown)', 'states:StartExecution', 'teardownStateMachine'),
    call('StartExecution (restore)', 'states:StartExecution', 'restoreStateMachine'),
    call('StopExecution (provision, on OrgDeleted)', 'states:StopExecution', 'provisionExecution'),
    call('StopExecution (restore, on OrgDeleted)', 'states:StopExecution', 'restoreExecution'),
    call('StopExecution (teardown in its retention wait, on a restore)', 'states:StopExecution', 'teardownExecution'),
    call('PutEvents (OrgProvisioned again, OrgProvisioningFailed)', 'events:PutEvents', 'eventBus'),
    call('on-failure destination', 'sqs:SendMessage', 'routerFailedEventsQueue'),
  ],
};


/**
 * The actions the code needs only for a prefix tenant, per function: what iam-policies.test.ts
 * proves the roles of a stage with prefix tenants allow (its PREFIX_TENANT_CALLS, on the tenant's
 * prefix of the shared bucket, held to this list), and what the recorded calls of the workflow and
 * integration suites may use besides STEP_CALLS.
 */
export const PREFIX_TENANT_ACTIONS: Record<string, string[]> = {
  claimTenantPrefix: ['dynamodb:GetItem', 's3:ListBucket', 's3:GetObjectTagging'],
  createTenantUser: ['iam:AttachUserPolicy', 'iam:CreateUser', 'iam:TagUser'],
  deleteTenantBucket: ['s3:ListBucketVersions', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetBucketVersioning', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
};

/**
 * What a function sends signed as the tenant (with the tenant's own key, never its role's), per
 * function: ProveTenantCredentials' proof, and the rotation's testSecret. These are the tenant's own rights, which
 * iam-policies.test.ts ("tenant A's user may ListBucket on its own bucket") and
 * prefix-tenancy.test.ts (a prefix tenant's ListBucket of its prefix) prove; GetCallerIdentity
 * needs no permission. The function's role is held to STEP_CALLS alone.
 */
export const TENANT_SIGNED_ACTIONS: Record<string, string[]> = {
  proveTenantCredentials: ['sts:GetCallerIdentity', 's3:ListBucket'],
  // testSecret proves the new key the same way (lib/key-proof.ts).
  rotateTenantCredentials: ['sts:GetCallerIdentity', 's3:ListBucket'],
};

/**
 * STEP_CALLS with the prefix tenants' actions and what is signed as the tenant: every action a
 * function's code may send, each proven allowed to its role (in some stage) or to the tenant.
 */
export const PROVEN_ACTIONS: Record<string, { action: string }[]> = Object.fromEntries(
  [...new Set([...Object.keys(STEP_CALLS), ...Object.keys(PREFIX_TENANT_ACTIONS), ...Object.keys(TENANT_SIGNED_ACTIONS)])].map((fn) => [
    fn,
    [...(STEP_CALLS[fn] ?? []), ...[...(PREFIX_TENANT_ACTIONS[fn] ?? []), ...(TENANT_SIGNED_ACTIONS[fn] ?? [])].map((action) => ({ action }))],
  ]),
);
