/**
 * The IAM actions an SDK command needs, by operation (`S3.CreateBucket`: the client's name
 * without `Client`, the command's without `Command`, as bench/lib/api-counter.ts names them)
 * and, where one command needs several actions, by its input. Read from the Service
 * Authorization Reference and each API's "Permissions" section.
 *
 * Only what is listed here is known: a command that is not is reported as unmapped, so a new
 * call cannot pass the recorded-calls check without someone deciding what it needs.
 */

type Input = Record<string, unknown>;
/** The actions one command needs, given its input (undefined: an input this file does not know how to read). */
type ActionsOf = (input: Input) => string[] | undefined;

const present = (value: unknown): boolean => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
const when = (condition: boolean, ...actions: string[]): string[] => (condition ? actions : []);

/** Commands whose only action is `<prefix>:<the command's name>`. */
function sameNamed(prefix: string, commands: string[]): Record<string, ActionsOf> {
  return Object.fromEntries(commands.map((command) => [command, () => [`${prefix}:${command}`]]));
}

/** The ACL headers of CreateBucket and PutObject, each of which needs the ACL action too. */
const ACL_FIELDS = ['ACL', 'GrantFullControl', 'GrantRead', 'GrantReadACP', 'GrantWrite', 'GrantWriteACP'];
const setsAcl = (input: Input) => ACL_FIELDS.some((field) => present(input[field]));

const S3: Record<string, ActionsOf> = {
  // CreateBucket authorizes what it also sets: ownership, tags (CreateBucketConfiguration.Tags,
  // s3:TagResource), an ACL, Object Lock (which turns versioning on).
  CreateBucket: (input) => {
    const configuration = (input.CreateBucketConfiguration ?? {}) as Input;
    return [
      's3:CreateBucket',
      ...when(present(input.ObjectOwnership), 's3:PutBucketOwnershipControls'),
      ...when(present(configuration.Tags), 's3:TagResource'),
      ...when(setsAcl(input), 's3:PutBucketAcl'),
      ...when(input.ObjectLockEnabledForBucket === true, 's3:PutBucketObjectLockConfiguration', 's3:PutBucketVersioning'),
    ];
  },
  HeadBucket: () => ['s3:ListBucket'],
  ListObjects: () => ['s3:ListBucket'],
  ListObjectsV2: () => ['s3:ListBucket'],
  ListObjectVersions: () => ['s3:ListBucketVersions'],
  ListBuckets: () => ['s3:ListAllMyBuckets'],
  PutBucketEncryption: () => ['s3:PutEncryptionConfiguration'],
  GetBucketEncryption: () => ['s3:GetEncryptionConfiguration'],
  PutPublicAccessBlock: () => ['s3:PutBucketPublicAccessBlock'],
  GetPublicAccessBlock: () => ['s3:GetBucketPublicAccessBlock'],
  DeletePublicAccessBlock: () => ['s3:PutBucketPublicAccessBlock'],
  PutObject: (input) => ['s3:PutObject', ...when(present(input.Tagging), 's3:PutObjectTagging'), ...when(setsAcl(input), 's3:PutObjectAcl')],
  GetObject: (input) => [present(input.VersionId) ? 's3:GetObjectVersion' : 's3:GetObject'],
  // Both are one action whether or not the request names a version.
  GetObjectRetention: () => ['s3:GetObjectRetention'],
  GetObjectLegalHold: () => ['s3:GetObjectLegalHold'],
  GetObjectTagging: (input) => [present(input.VersionId) ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging'],
  HeadObject: (input) => [present(input.VersionId) ? 's3:GetObjectVersion' : 's3:GetObject'],
  DeleteObject: (input) => [present(input.VersionId) ? 's3:DeleteObjectVersion' : 's3:DeleteObject'],
  // DeleteObjects needs s3:DeleteObject, and s3:DeleteObjectVersion for the entries naming a version.
  DeleteObjects: (input) => {
    const objects = (((input.Delete ?? {}) as Input).Objects ?? []) as Input[];
    return ['s3:DeleteObject', ...when(objects.some((object) => present(object.VersionId)), 's3:DeleteObjectVersion')];
  },
  ...sameNamed('s3', [
    'DeleteBucket',
    'GetBucketTagging',
    'PutBucketTagging',
    'DeleteBucketTagging',
    'GetBucketPolicy',
    'PutBucketPolicy',
    'DeleteBucketPolicy',
    'GetBucketOwnershipControls',
    'PutBucketOwnershipControls',
    'GetBucketLocation',
    'GetBucketVersioning',
    'PutBucketVersioning',
  ]),
};

const S3_CONTROL: Record<string, ActionsOf> = {
  GetPublicAccessBlock: () => ['s3:GetAccountPublicAccessBlock'],
  PutPublicAccessBlock: () => ['s3:PutAccountPublicAccessBlock'],
};

const IAM: Record<string, ActionsOf> = {
  // The boundary CreateUser attaches is authorized by iam:CreateUser's iam:PermissionsBoundary
  // condition, not by a separate action; its tags are by iam:TagUser.
  CreateUser: (input) => ['iam:CreateUser', ...when(present(input.Tags), 'iam:TagUser')],
  CreatePolicy: (input) => ['iam:CreatePolicy', ...when(present(input.Tags), 'iam:TagPolicy')],
  ...sameNamed('iam', [
    'GetUser',
    'DeleteUser',
    'ListUserTags',
    'TagUser',
    'UntagUser',
    'PutUserPermissionsBoundary',
    'CreateAccessKey',
    'ListAccessKeys',
    'UpdateAccessKey',
    'DeleteAccessKey',
    'GetLoginProfile',
    'DeleteLoginProfile',
    'ListSigningCertificates',
    'DeleteSigningCertificate',
    'ListSSHPublicKeys',
    'DeleteSSHPublicKey',
    'ListServiceSpecificCredentials',
    'DeleteServiceSpecificCredential',
    'ListMFADevices',
    'DeactivateMFADevice',
    'ListAttachedUserPolicies',
    'AttachUserPolicy',
    'DetachUserPolicy',
    'ListUserPolicies',
    'DeleteUserPolicy',
    'ListGroupsForUser',
    'RemoveUserFromGroup',
    'GetPolicy',
  ]),
};

const SECRETS_MANAGER: Record<string, ActionsOf> = {
  CreateSecret: (input) => [
    'secretsmanager:CreateSecret',
    ...when(present(input.Tags), 'secretsmanager:TagResource'),
    ...when(present(input.AddReplicaRegions), 'secretsmanager:ReplicateSecretToRegions'),
  ],
  ...sameNamed('secretsmanager', [
    'DescribeSecret',
    'GetSecretValue',
    'PutSecretValue',
    'UpdateSecret',
    'RestoreSecret',
    'DeleteSecret',
    'TagResource',
    'UntagResource',
    'ListSecrets',
    'UpdateSecretVersionStage',
    'CancelRotateSecret',
  ]),
  // "You also need lambda:InvokeFunction permissions on the rotation function" (API_RotateSecret).
  RotateSecret: (input) => ['secretsmanager:RotateSecret', ...when(present(input.RotationLambdaARN), 'lambda:InvokeFunction')],
};

const EVENT_BRIDGE: Record<string, ActionsOf> = {
  PutRule: (input) => ['events:PutRule', ...when(present(input.Tags), 'events:TagResource')],
  ...sameNamed('events', ['PutEvents', 'PutTargets', 'DescribeRule']),
};

const SFN: Record<string, ActionsOf> = {
  ...sameNamed('states', ['StartExecution', 'StopExecution', 'DescribeExecution', 'ListExecutions', 'RedriveExecution', 'GetExecutionHistory', 'DescribeStateMachine']),
};

/** TransactWriteItems is no IAM action: each item is authorized as the single-item call it makes. */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

const DYNAMODB: Record<string, ActionsOf> = {
  TransactWriteItems: (input) => {
    const kinds = ((input.TransactItems ?? []) as Input[]).flatMap((item) => Object.keys(item).filter((kind) => present(item[kind])));
    return kinds.every((kind) => kind in TRANSACT_ITEM_ACTIONS) ? kinds.map((kind) => TRANSACT_ITEM_ACTIONS[kind] as string) : undefined;
  },
  TransactGetItems: () => ['dynamodb:GetItem'],
  CreateTable: (input) => ['dynamodb:CreateTable', ...when(present(input.Tags), 'dynamodb:TagResource')],
  ...sameNamed('dynamodb', ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'DescribeTable', 'UpdateContinuousBackups']),
};

const SQS: Record<string, ActionsOf> = {
  SendMessageBatch: () => ['sqs:SendMessage'],
  DeleteMessageBatch: () => ['sqs:DeleteMessage'],
  ...sameNamed('sqs', ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'CreateQueue', 'GetQueueAttributes', 'SetQueueAttributes', 'GetQueueUrl']),
};

const STS: Record<string, ActionsOf> = {
  // GetCallerIdentity needs no permission (an explicit deny cannot stop it either).
  GetCallerIdentity: () => [],
  AssumeRole: () => ['sts:AssumeRole'],
};

/** SDK client name without `Client` → its commands' actions. */
const BY_SERVICE: Record<string, Record<string, ActionsOf>> = {
  S3,
  S3Control: S3_CONTROL,
  IAM,
  SecretsManager: SECRETS_MANAGER,
  EventBridge: EVENT_BRIDGE,
  SFN,
  DynamoDB: DYNAMODB,
  SQS,
  STS,
};

/**
 * The IAM actions `operation` (`S3.CreateBucket`) needs with this input, or undefined when the
 * command is not mapped (then nobody has decided what it needs: the check reports it).
 */
export function iamActionsOf(operation: string, input: unknown): string[] | undefined {
  const [service, command] = operation.split('.', 2) as [string, string | undefined];
  const actionsOf = command === undefined ? undefined : BY_SERVICE[service]?.[command];
  const actions = actionsOf?.((input ?? {}) as Input);
  return actions && [...new Set(actions)];
}

/** Every operation mapped here (for the mapping's own tests). */
export function mappedOperations(): string[] {
  return Object.entries(BY_SERVICE).flatMap(([service, commands]) => Object.keys(commands).map((command) => `${service}.${command}`));
}
