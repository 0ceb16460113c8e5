/**
 * One IAM role per function, each with only the actions its step needs on only the
 * resources it needs (docs/architecture.md, Security model). Returned as CloudFormation resources by
 * `${file(./deploy/roles.js):roles}`; serverless.yml points each function at its role.
 * No write action here has a `*` resource.
 */

const { eventBus } = require('./org-events');
const { prefixTenancy } = require('./prefix-tenancy');

const sub = (text) => ({ 'Fn::Sub': text });

/** Resource ARNs, as Fn::Sub templates (`${BucketPrefix}` etc. are filled in below). */
const arn = {
  tenantBuckets: 'arn:${AWS::Partition}:s3:::${BucketPrefix}-*',
  tenantObjects: 'arn:${AWS::Partition}:s3:::${BucketPrefix}-*/*',
  // This stage's own path and prefix (functions/lib/config.ts tenantUserPath, tenantSecretPrefix):
  // nothing another stage or tool makes can live there.
  tenantUsers: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/tenants/${Stage}/*',
  tenantGroups: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:group/tenants/*',
  tenantSecrets: 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${BucketPrefix}/${Stage}/*',
  provisionExecutions: 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${ProvisionStateMachineName}:*',
  teardownExecutions: 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${TeardownStateMachineName}:*',
  restoreExecutions: 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${RestoreStateMachineName}:*',
  // By name, not Ref: the teardown state machine names the function this is for (a Ref would be a cycle).
  teardownStateMachine: 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${TeardownStateMachineName}',
  // The stage's shared bucket (deploy/prefix-tenancy.js): by name, or, when the stack creates it,
  // left as `${SharedBucket}` for Fn::Sub (its Ref, the name CloudFormation gave it).
  sharedBucket: 'arn:${AWS::Partition}:s3:::${SharedBucket}',
  // Every prefix tenant's prefix: prefixTemplate with its {slug} as `*` (`userdata/*-publisher/`),
  // as the key of its folder object, and as the start of its objects' keys.
  prefixTenantFolders: 'arn:${AWS::Partition}:s3:::${SharedBucket}/${PrefixTenantPattern}',
  prefixTenantObjects: 'arn:${AWS::Partition}:s3:::${SharedBucket}/${PrefixTenantPattern}*',
};

/** The POS system's bus, where the stack's events go (deploy/org-events.js reads the name or ARN). */
const EVENT_BUS = '${EventBusArn}';

/** This stage's tenant ledger table (serverless.yml `TenantLedgerTable`); no index, no stream. */
const LEDGER_TABLE = { 'Fn::GetAtt': ['TenantLedgerTable', 'Arn'] };

/**
 * What every ledger writer sends (functions/lib/ledger/dynamo-store.ts): GetItem (ConsistentRead)
 * of a tenant's item and of the `#live-tenants` counter; PutItem conditioned on the version read;
 * and, when the live count moves, TransactWriteItems of a Put on the tenant's item and an Update
 * (ADD) of the counter. TransactWriteItems has no IAM action of its own: "Permissions for Put,
 * Update, Delete, and Get actions are governed by the permissions used for the underlying
 * PutItem, UpdateItem, DeleteItem, and GetItem operations"
 * (docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html). No
 * ConditionCheck is sent, so no dynamodb:ConditionCheckItem; nothing is ever deleted, scanned
 * or queried by a function (`tenantctl list` scans with the operator's own credentials).
 */
const LEDGER_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const ledgerWriter = () => ({ Effect: 'Allow', Action: LEDGER_ITEM_ACTIONS, Resource: LEDGER_TABLE });
/**
 * The steps that change a tenant before their run's end is recorded (create or configure its
 * bucket or user, issue a key, revoke or restore access, put the bucket policy) first read the
 * tenant's item (GetItem, ConsistentRead) to check their run is still the tenant's own
 * (functions/lib/ledger/run-guard.ts): a redrive resumes past ConfirmTenantRun.
 */
const ledgerReader = () => ({ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: LEDGER_TABLE });

/**
 * Defence in depth behind the code's own guards: changes to an existing IAM user or secret
 * are allowed only when it carries ManagedBy=tenant-provisioner (aws:ResourceTag), and what
 * the pipeline creates must carry that tag (aws:RequestTag).
 */
const MANAGED_RESOURCE = { StringEquals: { 'aws:ResourceTag/ManagedBy': 'tenant-provisioner' } };
const MANAGED_REQUEST = {
  StringEquals: { 'aws:RequestTag/ManagedBy': 'tenant-provisioner' },
  'ForAllValues:StringEquals': { 'aws:TagKeys': ['OrgId', 'ManagedBy', 'ProvisionedBy', 'TenantBucket'] },
};
/** The tag keys a tenant's user is created with: TenantPrefix too in a stage with prefix tenants (filled in below). */
const TENANT_USER_TAG_KEYS = '${TenantUserTagKeys}';
const MANAGED_USER_REQUEST = { ...MANAGED_REQUEST, 'ForAllValues:StringEquals': { 'aws:TagKeys': TENANT_USER_TAG_KEYS } };

/**
 * Marks a statement only a stage with prefix tenants gets (deploy/prefix-tenancy.js): one on the
 * shared bucket or on the prefix tenants' managed policy. A symbol, so that it never reaches the
 * template.
 */
const PREFIX_TENANTS_ONLY = Symbol('prefixTenantsOnly');
const withPrefixTenants = (statement) => ({ ...statement, [PREFIX_TENANTS_ONLY]: true });

/**
 * Tags are set only while creating (CreateUser and CreateSecret with Tags, which IAM authorizes
 * as TagUser and TagResource too); the code never tags an existing user or secret. IAM cannot
 * tell a new resource from an untagged one, so without this a role could stamp
 * ManagedBy=tenant-provisioner onto a resource that is not ours, or rewrite one of ours (its
 * OrgId, or the TenantBucket the tenant's boundary reads): tagging anything that already carries
 * a ManagedBy tag, of any value, is denied. A resource being created has no tags yet, so the
 * key is absent and the deny does not apply.
 */
const denyRetagging = (action) => ({
  Sid: 'TagOnlyWhileCreating',
  Effect: 'Deny',
  Action: action,
  Resource: '*',
  Condition: { Null: { 'aws:ResourceTag/ManagedBy': 'false' } },
});

/** This stage's rotation function (serverless.yml `rotateTenantCredentials`), which Secrets Manager invokes for the tenant secrets. */
const ROTATION_FUNCTION = { 'Fn::GetAtt': ['RotateTenantCredentialsLambdaFunction', 'Arn'] };

/**
 * Putting a tenant secret on its rotation schedule (functions/lib/rotation-schedule.ts):
 * RotateSecret with this stage's rotation function and RotateImmediately false, on a secret of
 * ours. The conditions keep these roles to scheduling: they cannot point a secret at another
 * function (secretsmanager:RotationLambdaARN, present whenever the request names one) nor rotate
 * a key now (secretsmanager:RotateImmediately; `tenantctl rotate` is the operators'). RotateSecret
 * needs lambda:InvokeFunction on the rotation function of its caller too (Secrets Manager API
 * reference, RotateSecret: "You also need lambda:InvokeFunction permissions on the rotation
 * function").
 */
const scheduleRotation = () => [
  {
    Effect: 'Allow',
    Action: ['secretsmanager:RotateSecret'],
    Resource: sub(arn.tenantSecrets),
    Condition: {
      ...MANAGED_RESOURCE,
      ArnEquals: { 'secretsmanager:RotationLambdaARN': ROTATION_FUNCTION },
      Bool: { 'secretsmanager:RotateImmediately': 'false' },
    },
  },
  { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ROTATION_FUNCTION },
];

/** What DeleteUser needs removed first (docs/architecture.md, Teardown): reads, then the removals. */
const USER_CLEANUP_READS = [
  'iam:GetUser', 'iam:ListAccessKeys', 'iam:ListSigningCertificates', 'iam:ListSSHPublicKeys',
  'iam:ListServiceSpecificCredentials', 'iam:ListMFADevices', 'iam:ListAttachedUserPolicies',
  'iam:ListUserPolicies', 'iam:ListGroupsForUser',
];
const USER_CLEANUP_WRITES = [
  'iam:DeleteAccessKey', 'iam:DeleteUser', 'iam:DeleteLoginProfile', 'iam:DeleteSigningCertificate',
  'iam:DeleteSSHPublicKey', 'iam:DeleteServiceSpecificCredential', 'iam:DeactivateMFADevice',
  'iam:DetachUserPolicy', 'iam:DeleteUserPolicy',
];

/** function key in serverless.yml → the statements its role needs beyond writing its own logs. */
const statements = {
  validateOrg: [],
  createTenantBucket: [
    ledgerReader(),
    {
      Effect: 'Allow',
      // HeadBucket needs s3:ListBucket; CreateBucket with tags and ObjectOwnership needs TagResource and PutBucketOwnershipControls.
      Action: ['s3:CreateBucket', 's3:ListBucket', 's3:GetBucketTagging', 's3:PutBucketTagging', 's3:TagResource', 's3:PutBucketOwnershipControls'],
      Resource: sub(arn.tenantBuckets),
    },
  ],
  configureTenantBucket: [
    ledgerReader(),
    {
      Effect: 'Allow',
      Action: ['s3:PutBucketPublicAccessBlock', 's3:PutBucketOwnershipControls'],
      Resource: sub(arn.tenantBuckets),
    },
  ],
  applyTenantBucketPolicy: [
    ledgerReader(),
    { Effect: 'Allow', Action: ['s3:PutBucketPolicy'], Resource: sub(arn.tenantBuckets) },
    // Read-only and account-scoped: GetAccountPublicAccessBlock has no resource type, so IAM requires "*".
    { Effect: 'Allow', Action: ['s3:GetAccountPublicAccessBlock'], Resource: '*' },
  ],
  createTenantUser: [
    ledgerReader(),
    {
      Effect: 'Allow',
      Action: ['iam:CreateUser'],
      Resource: sub(arn.tenantUsers),
      Condition: { ...MANAGED_USER_REQUEST, StringEquals: { ...MANAGED_USER_REQUEST.StringEquals, 'iam:PermissionsBoundary': { Ref: 'TenantBoundaryPolicy' } } },
    },
    // CreateUser with Tags also authorizes TagUser.
    { Effect: 'Allow', Action: ['iam:TagUser'], Resource: sub(arn.tenantUsers), Condition: MANAGED_USER_REQUEST },
    denyRetagging('iam:TagUser'),
    { Effect: 'Allow', Action: ['iam:GetUser'], Resource: sub(arn.tenantUsers) },
    // A prefix tenant's access is the one managed policy of all prefix tenants, attached to its
    // user (again to an adopted one: IAM takes a repeated attachment as done): that policy and no
    // other, and only to a user of ours.
    withPrefixTenants({
      Effect: 'Allow',
      Action: ['iam:AttachUserPolicy'],
      Resource: sub(arn.tenantUsers),
      Condition: { ArnEquals: { 'iam:PolicyARN': { Ref: 'TenantPrefixPolicy' } }, ...MANAGED_RESOURCE },
    }),
  ],
  // Read-only: is the prefix free, or already this org's? HeadBucket and ListObjectsV2 (one key
  // under the prefix) need s3:ListBucket, which lists keys and reads no object; a prefix in use is
  // adopted only when its folder object (the key equal to the prefix) carries the org's tags.
  claimTenantPrefix: [
    ledgerReader(),
    withPrefixTenants({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: sub(arn.sharedBucket) }),
    withPrefixTenants({ Effect: 'Allow', Action: ['s3:GetObjectTagging'], Resource: sub(arn.prefixTenantFolders) }),
  ],
  issueTenantCredentials: [
    ledgerReader(),
    { Effect: 'Allow', Action: ['iam:ListAccessKeys'], Resource: sub(arn.tenantUsers) },
    { Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey'], Resource: sub(arn.tenantUsers), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], Resource: sub(arn.tenantSecrets), Condition: MANAGED_REQUEST },
    denyRetagging('secretsmanager:TagResource'),
    { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret'], Resource: sub(arn.tenantSecrets) },
    {
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:RestoreSecret'],
      Resource: sub(arn.tenantSecrets),
      Condition: MANAGED_RESOURCE,
    },
  ],
  deleteTenantCredentials: [
    { Effect: 'Allow', Action: ['iam:ListUserTags', 'iam:ListAccessKeys'], Resource: sub(arn.tenantUsers) },
    { Effect: 'Allow', Action: ['iam:DeleteAccessKey'], Resource: sub(arn.tenantUsers), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret'], Resource: sub(arn.tenantSecrets) },
    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DeleteSecret'], Resource: sub(arn.tenantSecrets), Condition: MANAGED_RESOURCE },
  ],
  deleteTenantUser: [
    { Effect: 'Allow', Action: USER_CLEANUP_READS, Resource: sub(arn.tenantUsers) },
    { Effect: 'Allow', Action: USER_CLEANUP_WRITES, Resource: sub(arn.tenantUsers), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['iam:RemoveUserFromGroup'], Resource: sub(arn.tenantGroups) },
  ],
  deleteTenantBucket: [
    {
      Effect: 'Allow',
      // PutBucketPublicAccessBlock: a bucket kept after its teardown (keepEmptyBucketAfterTeardownDays) is locked down.
      Action: ['s3:GetBucketTagging', 's3:DeleteBucketPolicy', 's3:ListBucketVersions', 's3:DeleteBucket', 's3:GetBucketVersioning', 's3:PutBucketPublicAccessBlock'],
      Resource: sub(arn.tenantBuckets),
    },
    { Effect: 'Allow', Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'], Resource: sub(arn.tenantObjects) },
    // Read-only: why versions S3 refuses to delete are held (retention, legal hold; MFA delete above), for the operator.
    { Effect: 'Allow', Action: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'], Resource: sub(arn.tenantObjects) },
    // A prefix tenant's teardown empties its prefix (all versions and delete markers) and nothing
    // else of the shared bucket: no tag, policy or bucket action on it.
    withPrefixTenants({ Effect: 'Allow', Action: ['s3:ListBucketVersions', 's3:GetBucketVersioning'], Resource: sub(arn.sharedBucket) }),
    withPrefixTenants({ Effect: 'Allow', Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetObjectRetention', 's3:GetObjectLegalHold'], Resource: sub(arn.prefixTenantObjects) }),
  ],
  prepareTeardown: [],
  revokeTenantAccess: [
    ledgerReader(),
    { Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListAccessKeys'], Resource: sub(arn.tenantUsers) },
    { Effect: 'Allow', Action: ['iam:UpdateAccessKey'], Resource: sub(arn.tenantUsers), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret'], Resource: sub(arn.tenantSecrets) },
    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: sub(arn.tenantSecrets), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['s3:GetBucketTagging', 's3:DeleteBucketPolicy'], Resource: sub(arn.tenantBuckets) },
    // A revoked key is never rotated: the tenant's secret comes off its schedule.
    { Effect: 'Allow', Action: ['secretsmanager:CancelRotateSecret'], Resource: sub(arn.tenantSecrets), Condition: MANAGED_RESOURCE },
  ],
  restoreTenantAccess: [
    ledgerReader(),
    { Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListAccessKeys'], Resource: sub(arn.tenantUsers) },
    { Effect: 'Allow', Action: ['iam:UpdateAccessKey'], Resource: sub(arn.tenantUsers), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret'], Resource: sub(arn.tenantSecrets) },
    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: sub(arn.tenantSecrets), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['s3:GetBucketTagging'], Resource: sub(arn.tenantBuckets) },
    // Access back, rotation back: the teardown took the secret off its schedule.
    ...scheduleRotation(),
  ],
  recordTenantState: [
    ledgerWriter(),
    // A teardown or restore, once it has confirmed it is the tenant's current run, stops the run it
    // superseded (again: the router's own stop may have been lost).
    {
      Effect: 'Allow',
      Action: ['states:StopExecution'],
      Resource: [sub(arn.provisionExecutions), sub(arn.teardownExecutions), sub(arn.restoreExecutions)],
    },
    // A teardown whose bucket deletion came near the history limit continues in a new teardown execution.
    { Effect: 'Allow', Action: ['states:StartExecution'], Resource: sub(arn.teardownStateMachine) },
  ],
  trackExecutionStatus: [
    ledgerWriter(),
    // Describes a run to tell a late status event from a current one (events are best-effort and
    // unordered), and stops a redriven run the ledger has moved past, in any of the three workflows.
    {
      Effect: 'Allow',
      Action: ['states:DescribeExecution', 'states:StopExecution'],
      Resource: [sub(arn.provisionExecutions), sub(arn.teardownExecutions), sub(arn.restoreExecutions)],
    },
    // The on-failure destination of the tracker's asynchronous invocations.
    { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: { 'Fn::GetAtt': ['TrackerFailedEventsQueue', 'Arn'] } },
  ],
  publishOrgDeprovisioned: [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: EVENT_BUS }],
  publishOrgRestored: [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: EVENT_BUS }],
  // Reads the tenant's key from its secret, then signs as the tenant: STS and S3 see the tenant's
  // own rights (bucket or prefix policy, capped by its boundary), never this role's.
  // A proven key goes on its rotation schedule. DescribeSecret: a repeated schedule that Secrets
  // Manager refuses while its test of the first is running is done when the secret already has it.
  proveTenantCredentials: [
    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: sub(arn.tenantSecrets), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret'], Resource: sub(arn.tenantSecrets) },
    ...scheduleRotation(),
  ],
  // Secrets Manager's rotation function (functions/rotate-tenant-credentials.ts), one step per
  // invocation, run as this role: the four steps on the tenant's secret, a new key of the tenant's
  // user (and, to make room, deleting a stray or the previous key once its overlap has passed), and
  // TenantCredentialsRotated on the bus. It never deactivates or reactivates a key (no
  // UpdateAccessKey: retirePreviousTenantKeys deactivates). testSecret signs as the tenant with
  // the new key: STS and S3 see the tenant's own rights, never this role's.
  rotateTenantCredentials: [
    { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret'], Resource: sub(arn.tenantSecrets) },
    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: sub(arn.tenantSecrets), Condition: MANAGED_RESOURCE },
    // finishSecret moves AWSCURRENT to the new version and takes AWSPENDING off it (Secrets Manager
    // moves AWSPREVIOUS itself): no other label.
    {
      Effect: 'Allow',
      Action: ['secretsmanager:UpdateSecretVersionStage'],
      Resource: sub(arn.tenantSecrets),
      Condition: { StringEquals: { ...MANAGED_RESOURCE.StringEquals, 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPENDING'] } },
    },
    { Effect: 'Allow', Action: ['iam:ListAccessKeys'], Resource: sub(arn.tenantUsers) },
    { Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey'], Resource: sub(arn.tenantUsers), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['events:PutEvents'], Resource: EVENT_BUS },
  ],
  // Daily: finds the stage's tenant secrets, reads the previous and current keys of those that
  // rotated, and deactivates a previous key whose overlap has passed. It can neither create nor
  // delete a key, nor change a secret. (UpdateAccessKey has no condition key for the status it
  // sets, so IAM cannot hold it to Inactive: the code only ever sends Inactive.)
  retirePreviousTenantKeys: [
    // ListSecrets has no resource-level permission: IAM accepts it only with Resource "*". It lists
    // names and tags, never a value (values need GetSecretValue, held to the tenant secrets below).
    { Effect: 'Allow', Action: ['secretsmanager:ListSecrets'], Resource: '*' },
    { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret'], Resource: sub(arn.tenantSecrets) },
    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: sub(arn.tenantSecrets), Condition: MANAGED_RESOURCE },
    { Effect: 'Allow', Action: ['iam:ListAccessKeys'], Resource: sub(arn.tenantUsers) },
    { Effect: 'Allow', Action: ['iam:UpdateAccessKey'], Resource: sub(arn.tenantUsers), Condition: MANAGED_RESOURCE },
  ],
  publishOrgProvisioned: [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: EVENT_BUS }],
  publishOrgProvisioningFailed: [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: EVENT_BUS }],
  routeOrgEvent: [
    // Decides from the tenant ledger (the write is the lock); it no longer describes executions.
    ledgerWriter(),
    {
      Effect: 'Allow',
      Action: ['states:StartExecution'],
      Resource: [{ Ref: 'ProvisionTenantStateMachine' }, { Ref: 'TeardownTenantStateMachine' }, { Ref: 'RestoreTenantStateMachine' }],
    },
    // OrgDeleted stops a provisioning or restore run; a restore stops the teardown in its retention wait.
    {
      Effect: 'Allow',
      Action: ['states:StopExecution'],
      Resource: [sub(arn.provisionExecutions), sub(arn.restoreExecutions), sub(arn.teardownExecutions)],
    },
    { Effect: 'Allow', Action: ['events:PutEvents'], Resource: EVENT_BUS },
    // The on-failure destination of the router's asynchronous invocations.
    { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: { 'Fn::GetAtt': ['RouterFailedEventsQueue', 'Arn'] } },
  ],
};

/**
 * Fill `${BucketPrefix}` and friends, leaving CloudFormation's own `${AWS::…}` for Fn::Sub, and
 * `${SharedBucket}` too when the stack creates that bucket (vars.SharedBucket is then undefined).
 */
function fill(value, vars) {
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  }
  if (value === EVENT_BUS) return vars.EventBusArn;
  if (value === TENANT_USER_TAG_KEYS) return vars.TenantUserTagKeys;
  if (typeof value === 'string') {
    return value.replace(/\$\{(BucketPrefix|Stage|ProvisionStateMachineName|TeardownStateMachineName|RestoreStateMachineName|SharedBucket|PrefixTenantPattern)\}/g, (whole, name) => vars[name] ?? whole);
  }
  return value;
}

const roleLogicalId = (fn) => `${fn.charAt(0).toUpperCase()}${fn.slice(1)}Role`;

module.exports.statements = statements;
module.exports.roleLogicalId = roleLogicalId;

module.exports.roles = async ({ resolveVariable }) => {
  const prefix = await prefixTenancy(resolveVariable);
  const vars = {
    BucketPrefix: await resolveVariable('param:bucketPrefix'),
    Stage: await resolveVariable('sls:stage'),
    EventBusArn: eventBus(await resolveVariable('param:eventBusName')).arn,
    ProvisionStateMachineName: await resolveVariable('self:custom.provisionStateMachineName'),
    TeardownStateMachineName: await resolveVariable('self:custom.teardownStateMachineName'),
    RestoreStateMachineName: await resolveVariable('self:custom.restoreStateMachineName'),
    TenantUserTagKeys: [...MANAGED_REQUEST['ForAllValues:StringEquals']['aws:TagKeys'], ...(prefix.hasPrefixTenants ? ['TenantPrefix'] : [])],
    SharedBucket: prefix.namedSharedBucket,
    PrefixTenantPattern: prefix.prefixTemplate.replace('{slug}', '*'),
  };
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const resources = {};
  for (const [fn, extra] of Object.entries(statements)) {
    const functionName = `${service}-${stage}-${fn}`;
    resources[roleLogicalId(fn)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `tenant-provisioner ${stage}: ${fn} only`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [
          {
            PolicyName: fn,
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  Resource: sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`),
                },
                ...fill(extra.filter((statement) => prefix.hasPrefixTenants || !statement[PREFIX_TENANTS_ONLY]), vars),
              ],
            },
          },
        ],
      },
    };
  }
  return resources;
};
