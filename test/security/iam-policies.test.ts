/**
 * The security suite (docs/architecture.md, Security model). Evaluates the real policies with iam-simulate:
 * the bucket policy and permissions boundary that functions/lib/policies.ts generates
 * (TLS-only, as deployed) and every role policy of the packaged template, resolved for
 * account 123456789012, us-east-1, stage dev. Each case is one request and the decision AWS
 * must reach on it; the suite prints one summary line, and any other decision is a surprise.
 *
 * The pipeline roles are held to STEP_CALLS, the IAM actions each function's code needs,
 * read from functions/*.ts: a role must allow exactly those on tenant resources and deny
 * every action only other steps need, plus FORBIDDEN for every role. The tenant ledger
 * is one of those resources: the roles that write it may make exactly their item
 * operations on this stage's table, no other operation on it and none on any other table; the
 * steps that change the tenant may read its item (their run guard) and nothing more;
 * every other role may do nothing on it (LEDGER_FORBIDDEN). Requests on a tenant's
 * user or secret carry its tags as the code sets them (aws:ResourceTag/*, or aws:RequestTag/*
 * and aws:TagKeys where the call creates it); changes to a user or secret not tagged
 * ManagedBy=tenant-provisioner, and creates with other tags, are denied (MANAGED_ONLY).
 *
 * A stage with prefix tenants (`--param=tenancy=prefix`, the shared bucket created by the stack)
 * is packaged and evaluated too: the calls made only for a prefix tenant (PREFIX_TENANT_CALLS) on
 * tenant A's prefix of the shared bucket; the deletion role may delete object versions only under
 * the tenants' prefixes; CreateTenantUser may attach the prefix policy and nothing else, and only to
 * a user of ours; ClaimTenantPrefix only reads; and no role may delete the shared bucket, change its
 * policy or settings, or change the prefix policy. A stage without prefix tenants grants none of it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tenantPrefixOf, tenantUserPath } from '../../functions/lib/config';
import type { Workflow } from '../../functions/lib/executions';
import { lifecycleExecutionName } from '../../functions/lib/naming';
import { prefixTenantPolicy, tenantBoundaryPolicy } from '../../functions/lib/policies';
import { TAG_TENANT_BUCKET, TAG_TENANT_PREFIX } from '../../functions/lib/tags';
import { packageStack, PROJECT_ROOT } from '../../scripts/package-stack';
import { hasUnresolved } from './support/intrinsics';
import {
  anonymousPrincipal,
  describeRequest,
  SecurityLedger,
  type Expectation,
  type Outcome,
  type SecurityRequest,
} from './support/simulation';
import type { FunctionRole, NamedPolicy, PolicyDocument, RolePolicies } from './support/stack-policies';
import { arnOf, buildWorld, DEPLOYMENT, inOtherStage, OTHER_STAGE, resourcePolicyOf, STAGE, type World } from './support/world';
import { PREFIX_TENANT_ACTIONS, scheduleContext, STEP_CALLS, withBoundary, type Call, type Context, type ResourceKind, type Tags } from './support/step-calls';
import { zipEntries } from './support/zip-entries';

const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';
/** This stage's tenant path, the other stage's, and the stage-less one every stage once shared. */
const OUR_PATH = tenantUserPath(STAGE);
const OTHER_STAGE_PATH = tenantUserPath(OTHER_STAGE);
const SHARED_PATH = '/tenants/';

let world: World;
/** The same stage with prefix tenants: `tenancy: prefix`, the shared bucket created by the stack. */
let prefixWorld: World;
const ledger = new SecurityLedger(DEPLOYMENT.accountId);

beforeAll(() => {
  world = buildWorld(packageStack({ stage: STAGE, region: DEPLOYMENT.region }));
  prefixWorld = buildWorld(packageStack({ stage: STAGE, region: DEPLOYMENT.region, params: { tenancy: 'prefix' } }));
}, 600_000);

afterAll(() => {
  for (const w of [world, prefixWorld]) if (w) rmSync(w.packaged.outDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------
// Tenant A's requests: the tags and context each call carries.

/** The context AWS builds for a request on an existing resource that carries `tags`. */
const resourceTags = (tags: Tags): Context => Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
/** The context AWS builds for a request that sets `tags` (none: neither key is present). */
function requestTags(tags: Tags): Context {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  return { ...Object.fromEntries(keys.map((key) => [`aws:RequestTag/${key}`, tags[key] ?? ''])), 'aws:TagKeys': keys };
}

/** The tags tenant A's resources carry: the user's and the secret's, as the code sets them; no other kind is tag-conditioned. */
function tagsOn(kind: ResourceKind, w: World): Tags {
  if (kind === 'user') return w.a.userTags;
  if (kind === 'secret') return w.a.secretTags;
  return {};
}

/** The whole context of the call as the code makes it on tenant A's resource. */
const contextOf =
  (c: Call) =>
  (w: World): Context => ({ ...(c.context?.(w) ?? {}), ...(c.sends ? requestTags(c.sends(w)) : resourceTags(tagsOn(c.on, w))) });

/** Logs every function writes, to its own log group only. */
const LOG_CALLS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** Changes to an existing user or secret: allowed only on one tagged ManagedBy=tenant-provisioner. */
const MANAGED_ONLY = new Set([
  'iam:CreateAccessKey',
  'iam:UpdateAccessKey',
  'iam:DeleteAccessKey',
  'iam:DeleteUser',
  'iam:DeleteLoginProfile',
  'iam:DeleteSigningCertificate',
  'iam:DeleteSSHPublicKey',
  'iam:DeleteServiceSpecificCredential',
  'iam:DeactivateMFADevice',
  'iam:DetachUserPolicy',
  'iam:DeleteUserPolicy',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:RestoreSecret',
  'secretsmanager:DeleteSecret',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:RotateSecret',
  'secretsmanager:CancelRotateSecret',
]);

/** Users and secrets in the tenants' namespace that tenant-provisioner does not manage. */
const NOT_OURS: Partial<Record<ResourceKind, { title: string; resource: (w: World) => string; tags: (w: World) => Tags }[]>> = {
  user: [
    { title: `an operator's untagged user under ${OUR_PATH}`, resource: () => arnOf.user(OUR_PATH, 'ops-breakglass'), tags: () => ({}) },
    { title: "a user with tenant A's name and tags but ManagedBy=terraform", resource: (w) => w.a.userArn, tags: (w) => ({ ...w.a.userTags, ManagedBy: 'terraform' }) },
    // The tags prove nothing outside this stage's own path (anything can be tagged there by whoever may tag it).
    { title: `the other stage's tenant A user (${OTHER_STAGE_PATH}), tagged as ours`, resource: (w) => arnOf.user(OTHER_STAGE_PATH, w.a.userName), tags: (w) => w.a.userTags },
    { title: `a user under the stage-less ${SHARED_PATH}, tagged as ours`, resource: (w) => arnOf.user(SHARED_PATH, w.a.userName), tags: (w) => w.a.userTags },
  ],
  secret: [
    { title: "an operator's secret under the stage's prefix, without ManagedBy", resource: (w) => arnOf.secret(`${w.env.BUCKET_PREFIX}/${STAGE}/ops/smtp-relay`), tags: () => ({ Owner: 'platform-team' }) },
    { title: "a secret with tenant A's name and tags but ManagedBy=terraform", resource: (w) => w.a.secretArn, tags: (w) => ({ ...w.a.secretTags, ManagedBy: 'terraform' }) },
    { title: "the other stage's tenant A secret, tagged as ours", resource: (w) => arnOf.secret(w.a.secretName.replace(`/${STAGE}/`, `/${OTHER_STAGE}/`)), tags: (w) => w.a.secretTags },
    { title: 'a secret under the prefix but no stage (its pre-issue-12 name), tagged as ours', resource: (w) => arnOf.secret(w.a.secretName.replace(`/${STAGE}/`, '/')), tags: (w) => w.a.secretTags },
  ],
};

/** What a create may not send instead of the tags the code sends: ManagedBy=tenant-provisioner and only the tenant tag keys. */
const NOT_OUR_TAGS: { title: string; tags: (sent: Tags) => Tags }[] = [
  { title: 'without tags', tags: () => ({}) },
  { title: 'without the ManagedBy tag', tags: (sent) => Object.fromEntries(Object.entries(sent).filter(([key]) => key !== 'ManagedBy')) },
  { title: 'with ManagedBy=terraform', tags: (sent) => ({ ...sent, ManagedBy: 'terraform' }) },
  { title: 'with an extra tag key (CostCenter)', tags: (sent) => ({ ...sent, CostCenter: 'cc-4711' }) },
];

function resourceOf(kind: ResourceKind, w: World): string {
  switch (kind) {
    case 'bucket':
      return w.a.bucketArn;
    case 'object':
      return w.a.object('orders/2026/11/report.csv');
    case 'publicMarker':
      return w.a.object('pub/');
    case 'user':
      return w.a.userArn;
    case 'group':
      return arnOf.group(SHARED_PATH, 'readers');
    case 'secret':
      return w.a.secretArn;
    case 'account':
      return '*';
    case 'eventBus':
      return w.arn.eventBus;
    case 'provisionStateMachine':
      return w.arn.provisionStateMachine;
    case 'teardownStateMachine':
      return w.arn.teardownStateMachine;
    case 'restoreStateMachine':
      return w.arn.restoreStateMachine;
    case 'provisionExecution':
      return runOf(w, 'provision');
    case 'teardownExecution':
      return runOf(w, 'teardown');
    case 'restoreExecution':
      return runOf(w, 'restore');
    case 'ledgerTable':
      return w.arn.ledgerTable;
    case 'routerFailedEventsQueue':
      return w.arn.routerFailedEventsQueue;
    case 'trackerFailedEventsQueue':
      return w.arn.trackerFailedEventsQueue;
    case 'rotationFunction':
      return functionOf(w, 'rotateTenantCredentials').functionArn;
  }
}

/** Tenant A's generation-1 run of `workflow` in this stage, named as the ledger names it. */
function runOf(w: World, workflow: Workflow): string {
  const machine = { provision: w.arn.provisionStateMachine, teardown: w.arn.teardownStateMachine, restore: w.arn.restoreStateMachine }[workflow];
  return arnOf.execution(machine, lifecycleExecutionName(w.a.slug, 1, workflow));
}

// ---------------------------------------------------------------------------------------
// Cases: declared statically (jest needs the tests before beforeAll), built lazily.

type RequestParts = Omit<SecurityRequest, 'category' | 'title' | 'expect'>;

interface Case {
  title: string;
  expect: Expectation;
  request: (w: World) => RequestParts;
}

/** Whether the outcome matches, with the reasons only when it does not (the diff then shows why). */
function verdict(request: SecurityRequest, outcome: Outcome): { request: string; decision: string; why?: string } {
  const decision = { request: describeRequest(request), decision: outcome.decision };
  return outcome.decision === request.expect ? decision : { ...decision, why: outcome.why };
}

function declareCases(category: string, cases: Case[], worldOf: () => World = () => world): void {
  describe(category, () => {
    for (const c of cases) {
      it(`${c.expect === 'allowed' ? 'may' : 'may not'} ${c.title}`, async () => {
        const request: SecurityRequest = { ...c.request(worldOf()), category, title: c.title, expect: c.expect };
        const outcome = await ledger.evaluate(request);
        expect(verdict(request, outcome)).toEqual({ request: describeRequest(request), decision: c.expect });
      });
    }
  });
}

const TLS = { 'aws:SecureTransport': 'true' };
const NO_TLS = { 'aws:SecureTransport': 'false' };

const NON_TENANT_BUCKET = 'payroll-exports';
const LOOKALIKE_BUCKET = 'fusion-rmsx-payroll';

// --- Tenant A's user: no identity policy, the boundary, and the bucket's own policy. -----

/** The context AWS builds for a request by a principal that carries `tags` (the boundary reads aws:PrincipalTag/TenantBucket). */
const principalTags = (tags: Tags): Context => Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value]));

function asTenantUser(
  action: string,
  resource: (w: World) => string,
  context: Context = TLS,
  identityPolicies: NamedPolicy[] = [],
  userTags: (w: World) => Tags = (w) => w.a.userTags,
  blockPublicAccess?: boolean,
): Case['request'] {
  return (w) => {
    const target = resource(w);
    const policy = resourcePolicyOf(target, w);
    return {
      principal: w.a.userArn,
      action,
      resource: target,
      context: { ...principalTags(userTags(w)), ...context },
      identityPolicies,
      boundary: w.boundary,
      ...(policy ? { resourcePolicy: policy } : {}),
      ...(blockPublicAccess === undefined ? {} : { blockPublicAccess }),
    };
  };
}

/** A principal that is not a tenant user (`principal`, with no policy of its own), on tenant A's bucket. */
function asOtherPrincipal(principal: (w: World) => string, action: string, resource: (w: World) => string, blockPublicAccess?: boolean): Case['request'] {
  return (w) => {
    const target = resource(w);
    const policy = resourcePolicyOf(target, w);
    return {
      principal: principal(w),
      action,
      resource: target,
      context: TLS,
      ...(policy ? { resourcePolicy: policy } : {}),
      ...(blockPublicAccess === undefined ? {} : { blockPublicAccess }),
    };
  };
}

declareCases("tenant A's user", [
  { title: 'GetObject on its own objects', expect: 'allowed', request: asTenantUser('s3:GetObject', (w) => w.a.object('orders/2026/11/report.csv')) },
  { title: 'PutObject on its own objects', expect: 'allowed', request: asTenantUser('s3:PutObject', (w) => w.a.object('orders/2026/11/report.csv')) },
  { title: 'DeleteObject on its own objects', expect: 'allowed', request: asTenantUser('s3:DeleteObject', (w) => w.a.object('orders/2026/11/report.csv')) },
  { title: 'PutObject under its own pub/', expect: 'allowed', request: asTenantUser('s3:PutObject', (w) => w.a.object('pub/menu.pdf')) },
  { title: 'ListBucket on its own bucket', expect: 'allowed', request: asTenantUser('s3:ListBucket', (w) => w.a.bucketArn) },
  { title: "GetObject under tenant B's pub/ (public to anyone)", expect: 'allowed', request: asTenantUser('s3:GetObject', (w) => w.b.object('pub/menu.pdf')) },
  { title: "GetObject on tenant B's objects", expect: 'denied', request: asTenantUser('s3:GetObject', (w) => w.b.object('orders/2026/11/report.csv')) },
  { title: "PutObject on tenant B's objects", expect: 'denied', request: asTenantUser('s3:PutObject', (w) => w.b.object('orders/2026/11/report.csv')) },
  { title: "PutObject under tenant B's pub/", expect: 'denied', request: asTenantUser('s3:PutObject', (w) => w.b.object('pub/menu.pdf')) },
  { title: "DeleteObject on tenant B's objects", expect: 'denied', request: asTenantUser('s3:DeleteObject', (w) => w.b.object('orders/2026/11/report.csv')) },
  { title: "ListBucket on tenant B's bucket", expect: 'denied', request: asTenantUser('s3:ListBucket', (w) => w.b.bucketArn) },
  { title: 'GetObject on a non-tenant bucket', expect: 'denied', request: asTenantUser('s3:GetObject', () => `${arnOf.bucket(NON_TENANT_BUCKET)}/salaries.csv`) },
  { title: 'PutObject on a non-tenant bucket', expect: 'denied', request: asTenantUser('s3:PutObject', () => `${arnOf.bucket(NON_TENANT_BUCKET)}/salaries.csv`) },
  { title: 'ListBucket on a non-tenant bucket', expect: 'denied', request: asTenantUser('s3:ListBucket', () => arnOf.bucket(NON_TENANT_BUCKET)) },
  { title: 'CreateBucket under the tenant prefix', expect: 'denied', request: asTenantUser('s3:CreateBucket', (w) => arnOf.bucket(`${w.env.BUCKET_PREFIX}-extra`)) },
  { title: 'PutBucketPolicy on its own bucket', expect: 'denied', request: asTenantUser('s3:PutBucketPolicy', (w) => w.a.bucketArn) },
  { title: 'DeleteBucketPolicy on its own bucket', expect: 'denied', request: asTenantUser('s3:DeleteBucketPolicy', (w) => w.a.bucketArn) },
  { title: 'DeleteBucket on its own bucket', expect: 'denied', request: asTenantUser('s3:DeleteBucket', (w) => w.a.bucketArn) },
  { title: 'PutBucketPublicAccessBlock on its own bucket', expect: 'denied', request: asTenantUser('s3:PutBucketPublicAccessBlock', (w) => w.a.bucketArn) },
  { title: 'PutObjectAcl on its own objects', expect: 'denied', request: asTenantUser('s3:PutObjectAcl', (w) => w.a.object('orders/2026/11/report.csv')) },
  { title: 'GetObject on its own objects without TLS', expect: 'denied', request: asTenantUser('s3:GetObject', (w) => w.a.object('orders/2026/11/report.csv'), NO_TLS) },
  { title: 'PutObject on its own objects without TLS', expect: 'denied', request: asTenantUser('s3:PutObject', (w) => w.a.object('orders/2026/11/report.csv'), NO_TLS) },
  { title: 'ListBucket on its own bucket without TLS', expect: 'denied', request: asTenantUser('s3:ListBucket', (w) => w.a.bucketArn, NO_TLS) },
  { title: 'CreateAccessKey for itself', expect: 'denied', request: asTenantUser('iam:CreateAccessKey', (w) => w.a.userArn) },
  { title: 'DeleteUserPermissionsBoundary on itself', expect: 'denied', request: asTenantUser('iam:DeleteUserPermissionsBoundary', (w) => w.a.userArn) },
  { title: 'AttachUserPolicy on itself', expect: 'denied', request: asTenantUser('iam:AttachUserPolicy', (w) => w.a.userArn, { 'iam:PolicyARN': ADMINISTRATOR_ACCESS }) },
  { title: 'CreateUser', expect: 'denied', request: asTenantUser('iam:CreateUser', (w) => arnOf.user(OUR_PATH, `${w.env.USER_PREFIX}intruder`)) },
  { title: 'GetSecretValue of its own credentials secret', expect: 'denied', request: asTenantUser('secretsmanager:GetSecretValue', (w) => w.a.secretArn) },
  { title: "GetSecretValue of tenant B's credentials secret", expect: 'denied', request: asTenantUser('secretsmanager:GetSecretValue', (w) => w.b.secretArn) },
  { title: 'StartExecution of the provisioning state machine', expect: 'denied', request: asTenantUser('states:StartExecution', (w) => w.arn.provisionStateMachine) },
  { title: 'PutEvents on the event bus', expect: 'denied', request: asTenantUser('events:PutEvents', (w) => w.arn.eventBus) },
  { title: 'InvokeFunction of a pipeline function', expect: 'denied', request: asTenantUser('lambda:InvokeFunction', (w) => w.functions.get('createTenantUser')?.functionArn ?? '') },
  { title: 'AssumeRole of a pipeline role', expect: 'denied', request: asTenantUser('sts:AssumeRole', (w) => w.functions.get('createTenantUser')?.role.arn ?? '') },
]);

// --- The same user if an identity policy granting s3:* and iam:* on * were attached later. --

const LATER_ATTACHED: NamedPolicy[] = [
  { name: 'attached-later', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:*'], Resource: '*' }] } },
];
const asCappedUser = (action: string, resource: (w: World) => string, context: Context = TLS) => asTenantUser(action, resource, context, LATER_ATTACHED);

declareCases("tenant A's user with s3:* and iam:* attached later (capped by the boundary)", [
  { title: 'GetObject on its own objects', expect: 'allowed', request: asCappedUser('s3:GetObject', (w) => w.a.object('orders/2026/11/report.csv')) },
  { title: 'ListBucket on its own bucket', expect: 'allowed', request: asCappedUser('s3:ListBucket', (w) => w.a.bucketArn) },
  // The boundary caps each user at the bucket its own TenantBucket tag names, so tenants
  // stay isolated from each other even after a mistake gives a user an identity policy.
  { title: "GetObject on tenant B's objects", expect: 'denied', request: asCappedUser('s3:GetObject', (w) => w.b.object('orders/2026/11/report.csv')) },
  { title: "PutObject on tenant B's objects", expect: 'denied', request: asCappedUser('s3:PutObject', (w) => w.b.object('orders/2026/11/report.csv')) },
  { title: "ListBucket on tenant B's bucket", expect: 'denied', request: asCappedUser('s3:ListBucket', (w) => w.b.bucketArn) },
  { title: 'GetObject on a non-tenant bucket', expect: 'denied', request: asCappedUser('s3:GetObject', () => `${arnOf.bucket(NON_TENANT_BUCKET)}/salaries.csv`) },
  { title: 'PutObject on a non-tenant bucket', expect: 'denied', request: asCappedUser('s3:PutObject', () => `${arnOf.bucket(NON_TENANT_BUCKET)}/salaries.csv`) },
  { title: 'PutObject on a look-alike bucket outside the prefix', expect: 'denied', request: asCappedUser('s3:PutObject', () => `${arnOf.bucket(LOOKALIKE_BUCKET)}/x`) },
  { title: 'CreateBucket under the tenant prefix', expect: 'denied', request: asCappedUser('s3:CreateBucket', (w) => arnOf.bucket(`${w.env.BUCKET_PREFIX}-extra`)) },
  { title: 'PutBucketPolicy on its own bucket', expect: 'denied', request: asCappedUser('s3:PutBucketPolicy', (w) => w.a.bucketArn) },
  { title: 'DeleteBucketPolicy on its own bucket', expect: 'denied', request: asCappedUser('s3:DeleteBucketPolicy', (w) => w.a.bucketArn) },
  { title: 'DeleteBucket on its own bucket', expect: 'denied', request: asCappedUser('s3:DeleteBucket', (w) => w.a.bucketArn) },
  { title: 'ListAllMyBuckets', expect: 'denied', request: asCappedUser('s3:ListAllMyBuckets', () => '*') },
  { title: 'CreateUser', expect: 'denied', request: asCappedUser('iam:CreateUser', (w) => arnOf.user(OUR_PATH, `${w.env.USER_PREFIX}intruder`)) },
  { title: 'CreateAccessKey for itself', expect: 'denied', request: asCappedUser('iam:CreateAccessKey', (w) => w.a.userArn) },
  { title: 'PutUserPolicy on itself', expect: 'denied', request: asCappedUser('iam:PutUserPolicy', (w) => w.a.userArn) },
  { title: 'AttachUserPolicy on itself', expect: 'denied', request: asCappedUser('iam:AttachUserPolicy', (w) => w.a.userArn, { ...TLS, 'iam:PolicyARN': ADMINISTRATOR_ACCESS }) },
  { title: 'DeleteUserPermissionsBoundary on itself', expect: 'denied', request: asCappedUser('iam:DeleteUserPermissionsBoundary', (w) => w.a.userArn) },
  { title: 'TagUser on itself (to point TenantBucket at B)', expect: 'denied', request: (w) => asCappedUser('iam:TagUser', (x) => x.a.userArn, { ...TLS, ...requestTags({ TenantBucket: w.b.bucket }) })(w) },
  { title: 'CreatePolicyVersion of the boundary', expect: 'denied', request: asCappedUser('iam:CreatePolicyVersion', (w) => w.boundaryArn) },
  { title: 'GetSecretValue of its own credentials secret', expect: 'denied', request: asCappedUser('secretsmanager:GetSecretValue', (w) => w.a.secretArn) },
]);

// --- The same user with the AWS managed AmazonS3FullAccess attached: the boundary's proof. ---

/** AmazonS3FullAccess as AWS publishes it (version 2: s3:* and s3-object-lambda:* on *). */
const AMAZON_S3_FULL_ACCESS: NamedPolicy[] = [
  { name: 'AmazonS3FullAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }] } },
];
const withS3FullAccess = (action: string, resource: (w: World) => string) => asTenantUser(action, resource, TLS, AMAZON_S3_FULL_ACCESS);

declareCases("tenant A's user with AmazonS3FullAccess attached", [
  { title: 'PutObject on its own objects', expect: 'allowed', request: withS3FullAccess('s3:PutObject', (w) => w.a.object('orders/2026/11/report.csv')) },
  ...(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] as const).map((action) => ({
    title: `${action.slice(3)} on tenant B's objects`,
    expect: 'denied' as const,
    request: withS3FullAccess(action, (w) => w.b.object('orders/2026/11/report.csv')),
  })),
  { title: "ListBucket on tenant B's bucket", expect: 'denied', request: withS3FullAccess('s3:ListBucket', (w) => w.b.bucketArn) },
  { title: "DeleteBucket on tenant B's bucket", expect: 'denied', request: withS3FullAccess('s3:DeleteBucket', (w) => w.b.bucketArn) },
  { title: "PutBucketPolicy on tenant B's bucket", expect: 'denied', request: withS3FullAccess('s3:PutBucketPolicy', (w) => w.b.bucketArn) },
  { title: 'GetObject on a non-tenant bucket', expect: 'denied', request: withS3FullAccess('s3:GetObject', () => `${arnOf.bucket(NON_TENANT_BUCKET)}/salaries.csv`) },
]);

// The bucket policy names the user by aws:PrincipalArn with Principal "*" (functions/lib/policies.ts):
// a fixed PrincipalArn keeps those statements non-public, so account-level Block Public Access
// (RestrictPublicBuckets) still lets the user in, while anonymous reads of pub/ are cut off.
const OWN_OBJECT = (w: World) => w.a.object('orders/2026/11/report.csv');
declareCases("tenant A's user, with RestrictPublicBuckets in effect", [
  { title: 'GetObject on its own objects', expect: 'allowed', request: asTenantUser('s3:GetObject', OWN_OBJECT, TLS, [], undefined, true) },
  { title: 'PutObject on its own objects', expect: 'allowed', request: asTenantUser('s3:PutObject', OWN_OBJECT, TLS, [], undefined, true) },
  { title: 'DeleteObject on its own objects', expect: 'allowed', request: asTenantUser('s3:DeleteObject', OWN_OBJECT, TLS, [], undefined, true) },
  { title: 'ListBucket on its own bucket', expect: 'allowed', request: asTenantUser('s3:ListBucket', (w) => w.a.bucketArn, TLS, [], undefined, true) },
  { title: "GetObject on tenant B's objects", expect: 'denied', request: asTenantUser('s3:GetObject', (w) => w.b.object('orders/2026/11/report.csv'), TLS, [], undefined, true) },
]);

/** Principals the policy must not let in beyond pub/: anyone of the account, another account's, another tenant's user of the same name pattern. */
// Another account's principal is denied even pub/ here: a cross-account request needs its own
// account's identity policy too, and this one has none.
const OTHER_PRINCIPALS: { title: string; arn: (w: World) => string; pub: Expectation }[] = [
  { title: 'another IAM user of the account', arn: () => arnOf.user('/', 'reporting'), pub: 'allowed' },
  { title: 'a role of the account', arn: () => `arn:aws:iam::${DEPLOYMENT.accountId}:role/analytics`, pub: 'allowed' },
  { title: "tenant A's user name in another stage's path", arn: (w) => w.a.userArn.replace(OUR_PATH, OTHER_STAGE_PATH), pub: 'allowed' },
  { title: "tenant A's user name in another account", arn: (w) => w.a.userArn.replace(DEPLOYMENT.accountId, '210987654321'), pub: 'denied' },
];
for (const other of OTHER_PRINCIPALS) {
  declareCases(`${other.title}, on tenant A's bucket`, [
    { title: 'GetObject under pub/', expect: other.pub, request: asOtherPrincipal(other.arn, 's3:GetObject', (w) => w.a.object('pub/menu.pdf')) },
    { title: 'GetObject outside pub/', expect: 'denied', request: asOtherPrincipal(other.arn, 's3:GetObject', OWN_OBJECT) },
    { title: 'PutObject', expect: 'denied', request: asOtherPrincipal(other.arn, 's3:PutObject', OWN_OBJECT) },
    { title: 'PutObject under pub/', expect: 'denied', request: asOtherPrincipal(other.arn, 's3:PutObject', (w) => w.a.object('pub/menu.pdf')) },
    { title: 'DeleteObject', expect: 'denied', request: asOtherPrincipal(other.arn, 's3:DeleteObject', OWN_OBJECT) },
    { title: 'ListBucket', expect: 'denied', request: asOtherPrincipal(other.arn, 's3:ListBucket', (w) => w.a.bucketArn) },
    { title: 'GetObject outside pub/ with RestrictPublicBuckets in effect', expect: 'denied', request: asOtherPrincipal(other.arn, 's3:GetObject', OWN_OBJECT, true) },
  ]);
}

/** Tenant A's user's tags without TenantBucket: a user the boundary gives nothing to. */
function withoutTenantBucket(w: World): Tags {
  const { [TAG_TENANT_BUCKET]: _bucket, ...rest } = w.a.userTags;
  return rest;
}

// A same-account bucket policy that grants the user (here by its aws:PrincipalArn) is not limited by
// the user's boundary (IAM policy evaluation logic, same account): its own bucket stays reachable,
// nothing else is.
declareCases('a tenant user without the TenantBucket tag, with AmazonS3FullAccess attached', [
  { title: 'GetObject on its own bucket, whose policy names it', expect: 'allowed', request: asTenantUser('s3:GetObject', (w) => w.a.object('orders/2026/11/report.csv'), TLS, AMAZON_S3_FULL_ACCESS, withoutTenantBucket) },
  { title: "GetObject on tenant B's objects", expect: 'denied', request: asTenantUser('s3:GetObject', (w) => w.b.object('orders/2026/11/report.csv'), TLS, AMAZON_S3_FULL_ACCESS, withoutTenantBucket) },
  { title: 'GetObject on a non-tenant bucket', expect: 'denied', request: asTenantUser('s3:GetObject', () => `${arnOf.bucket(NON_TENANT_BUCKET)}/salaries.csv`, TLS, AMAZON_S3_FULL_ACCESS, withoutTenantBucket) },
]);

// --- Anonymous requests against tenant A's bucket. -----------------------------------------

function asAnonymous(action: string, resource: (w: World) => string, context: Record<string, string> = TLS, blockPublicAccess?: boolean): Case['request'] {
  return (w) => {
    const target = resource(w);
    const policy = resourcePolicyOf(target, w);
    return {
      principal: anonymousPrincipal,
      action,
      resource: target,
      context,
      ...(policy ? { resourcePolicy: policy } : {}),
      ...(blockPublicAccess === undefined ? {} : { blockPublicAccess }),
    };
  };
}

declareCases('anonymous', [
  { title: 'GetObject under pub/', expect: 'allowed', request: asAnonymous('s3:GetObject', (w) => w.a.object('pub/menu.pdf')) },
  { title: 'GetObject deeper under pub/', expect: 'allowed', request: asAnonymous('s3:GetObject', (w) => w.a.object('pub/images/2026/logo.png')) },
  { title: 'GetObject outside pub/', expect: 'denied', request: asAnonymous('s3:GetObject', (w) => w.a.object('orders/2026/11/report.csv')) },
  { title: 'GetObject on the key "pub" itself', expect: 'denied', request: asAnonymous('s3:GetObject', (w) => w.a.object('pub')) },
  { title: 'GetObject under public/ (not pub/)', expect: 'denied', request: asAnonymous('s3:GetObject', (w) => w.a.object('public/menu.pdf')) },
  { title: 'GetObject under a nested …/pub/', expect: 'denied', request: asAnonymous('s3:GetObject', (w) => w.a.object('orders/pub/menu.pdf')) },
  { title: 'GetObject under pub/ without TLS', expect: 'denied', request: asAnonymous('s3:GetObject', (w) => w.a.object('pub/menu.pdf'), NO_TLS) },
  { title: 'PutObject under pub/', expect: 'denied', request: asAnonymous('s3:PutObject', (w) => w.a.object('pub/menu.pdf')) },
  { title: 'PutObject outside pub/', expect: 'denied', request: asAnonymous('s3:PutObject', (w) => w.a.object('orders/new.csv')) },
  { title: 'DeleteObject under pub/', expect: 'denied', request: asAnonymous('s3:DeleteObject', (w) => w.a.object('pub/menu.pdf')) },
  { title: 'ListBucket', expect: 'denied', request: asAnonymous('s3:ListBucket', (w) => w.a.bucketArn) },
  { title: 'GetBucketPolicy', expect: 'denied', request: asAnonymous('s3:GetBucketPolicy', (w) => w.a.bucketArn) },
  { title: 'GetObject on a non-tenant bucket', expect: 'denied', request: asAnonymous('s3:GetObject', () => `${arnOf.bucket(NON_TENANT_BUCKET)}/pub/x`) },
  // docs/architecture.md, Security model: account-level Block Public Access (RestrictPublicBuckets) overrides the pub/ grant.
  { title: 'GetObject under pub/ once RestrictPublicBuckets is in effect', expect: 'denied', request: asAnonymous('s3:GetObject', (w) => w.a.object('pub/menu.pdf'), TLS, true) },
]);

// --- Every pipeline role: its own calls, nothing of the other steps, nothing FORBIDDEN. ------

/**
 * Denied to every role of the stack, whatever its step. Users and secrets carry the tags of
 * tenant-provisioner's own (the user creates send them), so that only what the title names
 * stands between the request and an allow.
 */
/**
 * What no role may do to the tenant ledger, whatever its step: any operation but the three item
 * operations the writers make (a scan or query reads every tenant; a delete loses a tombstone and
 * with it the generation counter, so names could repeat; the table operations could turn off
 * point-in-time recovery or deletion protection), and even those three on any other table.
 */
const LEDGER_TABLE_ONLY_OPERATIONS = [
  'dynamodb:Scan', 'dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem',
  'dynamodb:PartiQLSelect', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete',
  'dynamodb:DeleteTable', 'dynamodb:UpdateTable', 'dynamodb:UpdateContinuousBackups', 'dynamodb:UpdateTimeToLive', 'dynamodb:CreateBackup',
  'dynamodb:RestoreTableToPointInTime', 'dynamodb:ExportTableToPointInTime', 'dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy', 'dynamodb:DescribeTable',
];
const LEDGER_ITEM_OPERATIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const OTHER_TABLES: { title: string; arn: (w: World) => string }[] = [
  { title: "the other stage's ledger table", arn: (w) => inOtherStage(w.arn.ledgerTable) },
  { title: 'another table of the account (payments)', arn: () => arnOf.table('payments') },
];
const LEDGER_FORBIDDEN: { title: string; action: string; resource: (w: World) => string }[] = [
  ...LEDGER_TABLE_ONLY_OPERATIONS.map((action) => ({ title: `${action.slice(9)} on the ledger table`, action, resource: (w: World) => w.arn.ledgerTable })),
  { title: 'Query on an index of the ledger table', action: 'dynamodb:Query', resource: (w) => `${w.arn.ledgerTable}/index/by-state` },
  ...OTHER_TABLES.flatMap((table) =>
    [...LEDGER_ITEM_OPERATIONS, 'dynamodb:Scan', 'dynamodb:DeleteItem'].map((action) => ({ title: `${action.slice(9)} on ${table.title}`, action, resource: table.arn })),
  ),
];

const ourUser = (w: World) => resourceTags(w.a.userTags);
const ourSecret = (w: World) => resourceTags(w.a.secretTags);
const FORBIDDEN: { title: string; action: string; resource: (w: World) => string; context?: (w: World) => Context }[] = [
  { title: 'CreateUser without the boundary', action: 'iam:CreateUser', resource: (w) => w.a.userArn, context: (w) => requestTags(w.a.userTags) },
  { title: 'CreateUser with AdministratorAccess as boundary', action: 'iam:CreateUser', resource: (w) => w.a.userArn, context: (w) => ({ ...requestTags(w.a.userTags), 'iam:PermissionsBoundary': ADMINISTRATOR_ACCESS }) },
  { title: 'CreateUser outside /tenants/ (path /)', action: 'iam:CreateUser', resource: (w) => arnOf.user('/', `${w.env.USER_PREFIX}acme-bistro-42`), context: (w) => ({ ...requestTags(w.a.userTags), ...withBoundary(w) }) },
  { title: `CreateUser under the other stage's path ${OTHER_STAGE_PATH}`, action: 'iam:CreateUser', resource: (w) => arnOf.user(OTHER_STAGE_PATH, w.a.userName), context: (w) => ({ ...requestTags(w.a.userTags), ...withBoundary(w) }) },
  { title: `CreateUser under the stage-less ${SHARED_PATH}`, action: 'iam:CreateUser', resource: (w) => arnOf.user(SHARED_PATH, w.a.userName), context: (w) => ({ ...requestTags(w.a.userTags), ...withBoundary(w) }) },
  { title: 'CreateUser outside /tenants/ (path /admins/)', action: 'iam:CreateUser', resource: () => arnOf.user('/admins/', 'eve'), context: (w) => ({ ...requestTags(w.a.userTags), ...withBoundary(w) }) },
  { title: "CreateUser with the other stage's boundary", action: 'iam:CreateUser', resource: (w) => w.a.userArn, context: (w) => ({ ...requestTags(w.a.userTags), 'iam:PermissionsBoundary': inOtherStage(w.boundaryArn) }) },
  { title: 'PutUserPolicy on a tenant user', action: 'iam:PutUserPolicy', resource: (w) => w.a.userArn, context: ourUser },
  { title: 'AttachUserPolicy on a tenant user', action: 'iam:AttachUserPolicy', resource: (w) => w.a.userArn, context: (w) => ({ ...ourUser(w), 'iam:PolicyARN': ADMINISTRATOR_ACCESS }) },
  { title: 'DeleteUserPermissionsBoundary on a tenant user', action: 'iam:DeleteUserPermissionsBoundary', resource: (w) => w.a.userArn, context: ourUser },
  { title: 'PutUserPermissionsBoundary on a tenant user', action: 'iam:PutUserPermissionsBoundary', resource: (w) => w.a.userArn, context: (w) => ({ ...ourUser(w), 'iam:PermissionsBoundary': ADMINISTRATOR_ACCESS }) },
  { title: 'CreateLoginProfile for a tenant user', action: 'iam:CreateLoginProfile', resource: (w) => w.a.userArn, context: ourUser },
  { title: 'AddUserToGroup for a tenant user', action: 'iam:AddUserToGroup', resource: () => arnOf.group('/', 'admins') },
  { title: 'CreateAccessKey for a non-tenant user (tagged ManagedBy=tenant-provisioner)', action: 'iam:CreateAccessKey', resource: () => arnOf.user('/', 'ops-admin'), context: ourUser },
  { title: 'CreatePolicyVersion of the boundary', action: 'iam:CreatePolicyVersion', resource: (w) => w.boundaryArn },
  { title: 'SetDefaultPolicyVersion of the boundary', action: 'iam:SetDefaultPolicyVersion', resource: (w) => w.boundaryArn },
  { title: 'DeletePolicyVersion of the boundary', action: 'iam:DeletePolicyVersion', resource: (w) => w.boundaryArn },
  { title: 'DeletePolicy of the boundary', action: 'iam:DeletePolicy', resource: (w) => w.boundaryArn },
  { title: 'PassRole of a pipeline role', action: 'iam:PassRole', resource: (w) => w.functions.get('createTenantUser')?.role.arn ?? '' },
  ...[NON_TENANT_BUCKET, LOOKALIKE_BUCKET].flatMap((bucket) => [
    ...['s3:CreateBucket', 's3:DeleteBucket', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketTagging', 's3:PutBucketPublicAccessBlock', 's3:PutEncryptionConfiguration', 's3:PutBucketOwnershipControls'].map((action) => ({
      title: `${action.slice(3)} on bucket ${bucket} (outside the prefix)`,
      action,
      resource: () => arnOf.bucket(bucket),
    })),
    ...['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'].map((action) => ({
      title: `${action.slice(3)} in bucket ${bucket} (outside the prefix)`,
      action,
      resource: () => `${arnOf.bucket(bucket)}/pub/`,
    })),
  ]),
  ...['prod/payments-db', 'fusion-rms-evil/credentials', `fusion-rms/${OTHER_STAGE}/acme-bistro-42/credentials`, 'fusion-rms/acme-bistro-42/credentials'].flatMap((secret) =>
    ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'].map((action) => ({
      title: `${action.slice(15)} on secret ${secret} (outside the stage's prefix)`,
      action,
      resource: () => arnOf.secret(secret),
      context: action === 'secretsmanager:CreateSecret' ? (w: World) => requestTags(w.a.secretTags) : ourSecret,
    })),
  ),
  { title: "StartExecution of the other stage's provisioning state machine", action: 'states:StartExecution', resource: (w) => inOtherStage(w.arn.provisionStateMachine) },
  { title: "StartExecution of the other stage's teardown state machine", action: 'states:StartExecution', resource: (w) => inOtherStage(w.arn.teardownStateMachine) },
  { title: "StartExecution of the other stage's restore state machine", action: 'states:StartExecution', resource: (w) => inOtherStage(w.arn.restoreStateMachine) },
  ...(['provision', 'teardown', 'restore'] as const).map((workflow) => ({
    title: `StopExecution of the other stage's ${workflow} run`,
    action: 'states:StopExecution',
    resource: (w: World) => inOtherStage(runOf(w, workflow)),
  })),
  { title: 'StopExecution of a run of a state machine outside the stack', action: 'states:StopExecution', resource: () => `arn:aws:states:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:execution:payments-refund:org-acme-bistro-42` },
  // Since the ledger, only the status tracker describes executions (to tell a late
  // status event from a current one); every other role is denied it through STEP_CALLS.
  { title: "DescribeExecution of the other stage's teardown run", action: 'states:DescribeExecution', resource: (w) => inOtherStage(runOf(w, 'teardown')) },
  ...LEDGER_FORBIDDEN,
  { title: "InvokeFunction of the other stage's createTenantUser", action: 'lambda:InvokeFunction', resource: (w) => inOtherStage(w.functions.get('createTenantUser')?.functionArn ?? '') },
  { title: "PutLogEvents to the other stage's router log group", action: 'logs:PutLogEvents', resource: (w) => arnOf.logStream(inOtherStage(w.functions.get('routeOrgEvent')?.functionName ?? '')) },
  { title: "SendMessage to the other stage's router queue", action: 'sqs:SendMessage', resource: (w) => inOtherStage(w.arn.routerFailedEventsQueue) },
  { title: 'PutEvents on another event bus', action: 'events:PutEvents', resource: () => `arn:aws:events:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:event-bus/payments` },
];

/** A role of the stack, found in the world (with the function it runs, if any). */
type RoleOf = (w: World) => { role: RolePolicies; functionName?: string };

function asRole(role: RoleOf, action: string, resource: (w: World) => string, context?: (w: World) => Context): Case['request'] {
  return (w) => {
    const { role: r, functionName } = role(w);
    const roleName = r.arn.split('/').pop() ?? '';
    return {
      principal: `arn:aws:sts::${DEPLOYMENT.accountId}:assumed-role/${roleName}/${functionName ?? 'states'}`,
      action,
      resource: resource(w),
      context: { ...TLS, ...(context?.(w) ?? {}) },
      identityPolicies: r.policies,
      ...(r.boundary ? { boundary: r.boundary } : {}),
    };
  };
}

const ownersOf = (action: string) => Object.keys(STEP_CALLS).filter((fn) => STEP_CALLS[fn]?.some((c) => c.action === action));

/** Function `fn` of the packaged stack, with its role. */
function functionOf(w: World, fn: string): FunctionRole {
  const found = w.functions.get(fn);
  if (!found) throw new Error(`The packaged stack has no function ${fn}`);
  return found;
}

/** Call `c` as the code makes it on tenant A's resource, by `role`. */
const tenantRequest = (role: RoleOf, c: Call): Case['request'] => asRole(role, c.action, (w) => resourceOf(c.on, w), contextOf(c));

/** FORBIDDEN, asked of `role`. */
const forbiddenCases = (role: RoleOf): Case[] => FORBIDDEN.map((f) => ({ title: f.title, expect: 'denied', request: asRole(role, f.action, f.resource, f.context) }));

/** Another function of this stage's stack, or the same one of the other stage's. */
const functionArnOf = (fn: string) => (w: World) => functionOf(w, fn).functionArn;
const inOtherStageFunction = (fn: string) => (w: World) => inOtherStage(functionOf(w, fn).functionArn);
/** RotateSecret on tenant A's secret as scheduling sends it, with `change` made to what it carries. */
const rotateSecretOfA = (change: (context: Context, w: World) => Context) => (w: World) => change({ ...ourSecret(w), ...scheduleContext(w) }, w);
const without = (context: Context, key: string): Context => Object.fromEntries(Object.entries(context).filter(([k]) => k !== key));

/**
 * What the two steps that schedule rotation may not do with RotateSecret and InvokeFunction: point
 * a tenant's secret at any function but this stage's rotation function, rotate a key now, rotate
 * without naming the function (with whatever configuration the secret has), or invoke anything but
 * the rotation function.
 */
const SCHEDULING_LIMITS: StepLimit[] = [
  {
    title: 'RotateSecret naming another function of the account as the rotation function',
    action: 'secretsmanager:RotateSecret',
    resource: (w) => w.a.secretArn,
    context: rotateSecretOfA((c) => ({ ...c, 'secretsmanager:RotationLambdaARN': `arn:aws:lambda:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:function:exfiltrate-keys` })),
  },
  {
    title: "RotateSecret naming the other stage's rotation function",
    action: 'secretsmanager:RotateSecret',
    resource: (w) => w.a.secretArn,
    context: rotateSecretOfA((c, w) => ({ ...c, 'secretsmanager:RotationLambdaARN': inOtherStageFunction('rotateTenantCredentials')(w) })),
  },
  {
    title: 'RotateSecret naming the daily retirement function as the rotation function',
    action: 'secretsmanager:RotateSecret',
    resource: (w) => w.a.secretArn,
    context: rotateSecretOfA((c, w) => ({ ...c, 'secretsmanager:RotationLambdaARN': functionArnOf('retirePreviousTenantKeys')(w) })),
  },
  { title: 'RotateSecret rotating the key now (RotateImmediately true)', action: 'secretsmanager:RotateSecret', resource: (w) => w.a.secretArn, context: rotateSecretOfA((c) => ({ ...c, 'secretsmanager:RotateImmediately': 'true' })) },
  { title: 'RotateSecret without RotateImmediately (Secrets Manager then rotates at once)', action: 'secretsmanager:RotateSecret', resource: (w) => w.a.secretArn, context: rotateSecretOfA((c) => without(c, 'secretsmanager:RotateImmediately')) },
  { title: 'RotateSecret without RotationLambdaARN (with whatever function the secret is configured for)', action: 'secretsmanager:RotateSecret', resource: (w) => w.a.secretArn, context: rotateSecretOfA((c) => without(c, 'secretsmanager:RotationLambdaARN')) },
  { title: "RotateSecret of the other stage's tenant A secret, tagged as ours", action: 'secretsmanager:RotateSecret', resource: (w) => arnOf.secret(w.a.secretName.replace(`/${STAGE}/`, `/${OTHER_STAGE}/`)), context: rotateSecretOfA((c) => c) },
  { title: "InvokeFunction of the other stage's rotation function", action: 'lambda:InvokeFunction', resource: inOtherStageFunction('rotateTenantCredentials') },
  { title: 'InvokeFunction of the daily retirement function', action: 'lambda:InvokeFunction', resource: functionArnOf('retirePreviousTenantKeys') },
  { title: 'InvokeFunction of a pipeline step (issueTenantCredentials)', action: 'lambda:InvokeFunction', resource: functionArnOf('issueTenantCredentials') },
];

/** What the two rotation functions may not do beside their own calls: other stages' users, labels finishSecret never moves, reading every secret at once. */
const ROTATION_LIMITS: StepLimit[] = [
  { title: `ListAccessKeys of the other stage's tenant A user (${OTHER_STAGE_PATH})`, action: 'iam:ListAccessKeys', resource: (w) => arnOf.user(OTHER_STAGE_PATH, w.a.userName) },
  { title: 'ListAccessKeys of an administrator under /', action: 'iam:ListAccessKeys', resource: () => arnOf.user('/', 'ops-admin') },
  { title: "BatchGetSecretValue (ListSecrets' neighbour that reads every value)", action: 'secretsmanager:BatchGetSecretValue', resource: () => '*' },
  { title: "GetSecretValue of an operator's secret under the stage's prefix, without ManagedBy", action: 'secretsmanager:GetSecretValue', resource: (w) => arnOf.secret(`${w.env.BUCKET_PREFIX}/${STAGE}/ops/smtp-relay`) },
];

/** Per step, the own-scope limits beyond FORBIDDEN (a call allowed on one resource, not on its neighbours). */
interface StepLimit {
  title: string;
  action: string;
  resource: (w: World) => string;
  context?: (w: World) => Context;
}
const STEP_LIMITS: Record<string, StepLimit[]> = {
  proveTenantCredentials: SCHEDULING_LIMITS,
  restoreTenantAccess: SCHEDULING_LIMITS,
  rotateTenantCredentials: [
    ...ROTATION_LIMITS,
    ...['AWSPREVIOUS', 'RELEASED'].map((label) => ({
      title: `UpdateSecretVersionStage of the ${label} label (finishSecret moves AWSCURRENT and AWSPENDING only)`,
      action: 'secretsmanager:UpdateSecretVersionStage',
      resource: (w: World) => w.a.secretArn,
      context: (w: World) => ({ ...ourSecret(w), 'secretsmanager:VersionStage': label }),
    })),
    { title: 'UpdateSecretVersionStage of AWSCURRENT on a secret not ManagedBy us', action: 'secretsmanager:UpdateSecretVersionStage', resource: (w) => w.a.secretArn, context: (w) => ({ ...resourceTags({ ...w.a.secretTags, ManagedBy: 'terraform' }), 'secretsmanager:VersionStage': 'AWSCURRENT' }) },
  ],
  retirePreviousTenantKeys: ROTATION_LIMITS,
  configureTenantBucket: [
    { title: 'PutObject of any tenant object but the pub/ marker', action: 's3:PutObject', resource: (w) => w.a.object('orders/2026/11/report.csv') },
    { title: 'PutObject under pub/ (only the marker itself)', action: 's3:PutObject', resource: (w) => w.a.object('pub/menu.pdf') },
  ],
  routeOrgEvent: [
    { title: 'StartExecution of a state machine outside the stack', action: 'states:StartExecution', resource: () => `arn:aws:states:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:stateMachine:payments-refund` },
    { title: "SendMessage to the tracker's failure queue", action: 'sqs:SendMessage', resource: (w) => w.arn.trackerFailedEventsQueue },
  ],
  trackExecutionStatus: [
    { title: "SendMessage to the router's failure queue", action: 'sqs:SendMessage', resource: (w) => w.arn.routerFailedEventsQueue },
  ],
};

/**
 * A role that may tag while creating (CreateUser's TagUser, CreateSecret's
 * TagResource) may not tag what already exists: not one of ours (rewriting its OrgId or the
 * TenantBucket its boundary reads), not one managed by something else, and nothing outside this
 * stage's own path or prefix. IAM cannot tell a resource being created from an untagged one
 * that exists: an untagged user or secret in the stage's own namespace can still be tagged, and
 * only this stage's pipeline creates anything there.
 */
const TAGGING_ACTIONS = new Set(['iam:TagUser', 'secretsmanager:TagResource']);
interface Existing {
  title: string;
  expect: Expectation;
  resource: (w: World) => string;
  /** The tags it carries now. */
  tags: (w: World) => Tags;
  /** The tags the request sets, given what the code sends when creating. */
  sets: (sent: Tags, w: World) => Tags;
}
const EXISTING: Partial<Record<ResourceKind, Existing[]>> = {
  user: [
    { title: "tenant A's user, to point its TenantBucket at B's bucket", expect: 'denied', resource: (w) => w.a.userArn, tags: (w) => w.a.userTags, sets: (_sent, w) => ({ TenantBucket: w.b.bucket }) },
    { title: "tenant A's user, re-stamping the tags it has", expect: 'denied', resource: (w) => w.a.userArn, tags: (w) => w.a.userTags, sets: (sent) => sent },
    { title: "a user with tenant A's name but ManagedBy=terraform", expect: 'denied', resource: (w) => w.a.userArn, tags: (w) => ({ ...w.a.userTags, ManagedBy: 'terraform' }), sets: (sent) => sent },
    { title: `an untagged user under the other stage's ${OTHER_STAGE_PATH}`, expect: 'denied', resource: (w) => arnOf.user(OTHER_STAGE_PATH, w.a.userName), tags: () => ({}), sets: (sent) => sent },
    { title: `an untagged user under the stage-less ${SHARED_PATH}`, expect: 'denied', resource: (w) => arnOf.user(SHARED_PATH, w.a.userName), tags: () => ({}), sets: (sent) => sent },
    { title: `an untagged user under this stage's ${OUR_PATH} (indistinguishable from one being created)`, expect: 'allowed', resource: (w) => w.a.userArn, tags: () => ({}), sets: (sent) => sent },
  ],
  secret: [
    { title: "tenant A's secret, to give it another OrgId", expect: 'denied', resource: (w) => w.a.secretArn, tags: (w) => w.a.secretTags, sets: (_sent, w) => ({ OrgId: w.b.orgId }) },
    { title: "a secret with tenant A's name but ManagedBy=terraform", expect: 'denied', resource: (w) => w.a.secretArn, tags: (w) => ({ ...w.a.secretTags, ManagedBy: 'terraform' }), sets: (sent) => sent },
    { title: "an untagged secret under the other stage's prefix", expect: 'denied', resource: (w) => arnOf.secret(w.a.secretName.replace(`/${STAGE}/`, `/${OTHER_STAGE}/`)), tags: () => ({}), sets: (sent) => sent },
    { title: "an untagged secret under the stage's prefix (indistinguishable from one being created)", expect: 'allowed', resource: (w) => w.a.secretArn, tags: () => ({}), sets: (sent) => sent },
  ],
};

// --- Prefix tenancy: the calls made for a prefix tenant, and what only its stage grants. ------

/** Where a call made only for a prefix tenant goes: the stage's shared bucket, tenant A's folder object in it (the key equal to its prefix), or an object under A's prefix. */
type PrefixResourceKind = 'sharedBucket' | 'prefixFolder' | 'prefixObject';
interface PrefixCall {
  call: string;
  action: string;
  on: PrefixResourceKind | 'user' | 'ledgerTable';
  /** The call's whole context (resource tags included). */
  context?: (w: World) => Context;
}

const sharedBucketOf = (w: World): string => w.env.SHARED_BUCKET ?? '';
const prefixPolicyArnOf = (w: World): string => w.env.TENANT_PREFIX_POLICY_ARN ?? '';
/** Tenant A's prefix of the shared bucket, as the stage's PREFIX_TEMPLATE gives it (`userdata/acme-bistro-42-publisher/`). */
const prefixOfA = (w: World): string => tenantPrefixOf(w.env.PREFIX_TEMPLATE ?? '', w.a.slug);
/** Tenant A's user as a prefix tenant's: TenantBucket is the shared bucket, TenantPrefix its prefix (create-tenant-user.ts). */
const prefixTenantTags = (w: World): Tags => ({ ...w.a.userTags, [TAG_TENANT_BUCKET]: sharedBucketOf(w), [TAG_TENANT_PREFIX]: prefixOfA(w) });
/** The object `key` of the shared bucket. */
const inShared = (w: World, key: string): string => `${arnOf.bucket(sharedBucketOf(w))}/${key}`;

function prefixResourceOf(kind: PrefixCall['on'], w: World): string {
  switch (kind) {
    case 'sharedBucket':
      return arnOf.bucket(sharedBucketOf(w));
    case 'prefixFolder':
      return inShared(w, prefixOfA(w));
    case 'prefixObject':
      return inShared(w, `${prefixOfA(w)}orders/2026/11/report.csv`);
    case 'user':
      return w.a.userArn;
    case 'ledgerTable':
      return w.arn.ledgerTable;
  }
}

/**
 * What the code sends only for a prefix tenant, as IAM actions on tenant A's prefix of the shared
 * bucket and its user: claim-tenant-prefix.ts (which runs for prefix tenants alone),
 * create-tenant-user.ts (the prefix policy) and delete-tenant-bucket.ts (deleteTenantPrefix, for
 * teardown and rollback). Evaluated in the stage with prefix tenants.
 */
const PREFIX_TENANT_CALLS: Record<string, PrefixCall[]> = {
  claimTenantPrefix: [
    { call: 'GetItem of the tenant (ConsistentRead): may this run still act?', action: 'dynamodb:GetItem', on: 'ledgerTable' },
    { call: "HeadBucket (ExpectedBucketOwner): is the shared bucket this account's?", action: 's3:ListBucket', on: 'sharedBucket' },
    { call: 'ListObjectsV2 (Prefix, MaxKeys 1): is the prefix empty?', action: 's3:ListBucket', on: 'sharedBucket', context: (w) => ({ 's3:prefix': prefixOfA(w), 's3:max-keys': '1' }) },
    { call: "GetObjectTagging of the folder object: is a prefix in use the org's?", action: 's3:GetObjectTagging', on: 'prefixFolder' },
  ],
  createTenantUser: [
    { call: 'AttachUserPolicy of the prefix policy', action: 'iam:AttachUserPolicy', on: 'user', context: (w) => ({ ...resourceTags(prefixTenantTags(w)), 'iam:PolicyARN': prefixPolicyArnOf(w) }) },
    { call: 'CreateUser with PermissionsBoundary and the TenantPrefix tag', action: 'iam:CreateUser', on: 'user', context: (w) => ({ ...requestTags(prefixTenantTags(w)), ...withBoundary(w) }) },
    { call: 'CreateUser with the TenantPrefix tag', action: 'iam:TagUser', on: 'user', context: (w) => requestTags(prefixTenantTags(w)) },
  ],
  deleteTenantBucket: [
    { call: 'ListObjectVersions (Prefix)', action: 's3:ListBucketVersions', on: 'sharedBucket', context: (w) => ({ 's3:prefix': prefixOfA(w) }) },
    { call: 'DeleteObjects (current versions)', action: 's3:DeleteObject', on: 'prefixObject' },
    { call: 'DeleteObjects (with VersionId)', action: 's3:DeleteObjectVersion', on: 'prefixObject' },
    { call: 'DeleteObjects (with VersionId) of the folder object', action: 's3:DeleteObjectVersion', on: 'prefixFolder' },
    { call: 'GetBucketVersioning (MFA delete?)', action: 's3:GetBucketVersioning', on: 'sharedBucket' },
    { call: 'GetObjectRetention of a refused version', action: 's3:GetObjectRetention', on: 'prefixObject' },
    { call: 'GetObjectLegalHold of a refused version', action: 's3:GetObjectLegalHold', on: 'prefixObject' },
  ],
};

describe('PREFIX_TENANT_CALLS', () => {
  it('are the actions the recorded-calls check lets a function use for a prefix tenant (PREFIX_TENANT_ACTIONS), no more, no fewer', () => {
    const actionsOf = (calls: Record<string, { action: string }[]>) => Object.fromEntries(Object.entries(calls).map(([fn, list]) => [fn, [...new Set(list.map((c) => c.action))].sort()]));
    expect(actionsOf(PREFIX_TENANT_CALLS)).toEqual(actionsOf(Object.fromEntries(Object.entries(PREFIX_TENANT_ACTIONS).map(([fn, actions]) => [fn, actions.map((action) => ({ action }))]))));
  });
});

/** Actions a function's role has only in a stage with prefix tenants: a stage without them grants none of it. */
const PREFIX_STAGE_ONLY: Record<string, string[]> = {
  claimTenantPrefix: ['s3:ListBucket', 's3:GetObjectTagging'],
  createTenantUser: ['iam:AttachUserPolicy'],
};
const prefixStageOnly = (fn: string, action: string): boolean => PREFIX_STAGE_ONLY[fn]?.includes(action) ?? false;
/** The prefix policy's ARN in this stage, were the stage to have one. */
const PREFIX_POLICY_NAME = `tenant-provisioner-${STAGE}-tenant-prefix`;

/** In the stage without prefix tenants: the prefix-only actions, asked of the resources they would reach. */
const BUCKET_STAGE_LIMITS: Record<string, { title: string; action: string; resource: (w: World) => string; context?: (w: World) => Context }[]> = {
  claimTenantPrefix: [
    { title: "ListBucket on the tenant's bucket (only a stage with prefix tenants lets it list its shared bucket)", action: 's3:ListBucket', resource: (w) => w.a.bucketArn },
    { title: 'ListBucket on a bucket named as a shared bucket would be', action: 's3:ListBucket', resource: () => arnOf.bucket(`tenant-provisioner-${STAGE}-sharedbucket-1a2b3c4d5e6f`) },
    { title: "GetObjectTagging of a folder object in the tenant's bucket", action: 's3:GetObjectTagging', resource: (w) => w.a.object('userdata/acme-bistro-42-publisher/') },
  ],
  createTenantUser: [
    {
      title: "AttachUserPolicy of a policy named as the stage's prefix policy would be",
      action: 'iam:AttachUserPolicy',
      resource: (w) => w.a.userArn,
      context: (w) => ({ ...ourUser(w), 'iam:PolicyARN': `arn:aws:iam::${DEPLOYMENT.accountId}:policy/${PREFIX_POLICY_NAME}` }),
    },
  ],
};

for (const fn of Object.keys({ ...STEP_CALLS, ...PREFIX_TENANT_CALLS })) {
  const role = (w: World) => functionOf(w, fn);
  const listed = STEP_CALLS[fn] ?? [];
  const calls = listed.filter((c) => !prefixStageOnly(fn, c.action));
  const own = new Set([...calls, ...(PREFIX_TENANT_CALLS[fn] ?? [])].map((c) => c.action));
  const othersOnly = new Map<string, Call>();
  for (const other of Object.values(STEP_CALLS).flat()) if (!own.has(other.action) && !othersOnly.has(other.action)) othersOnly.set(other.action, other);
  const otherLogGroupOwner = fn === 'routeOrgEvent' ? 'createTenantUser' : 'routeOrgEvent';

  declareCases(`role of ${fn}`, [
    ...calls.map((c) => ({
      title: `${c.action} on the tenant's ${c.on} (${c.call})`,
      expect: 'allowed' as const,
      request: tenantRequest(role, c),
    })),
    ...calls
      .filter((c) => MANAGED_ONLY.has(c.action))
      .flatMap((c) =>
        (NOT_OURS[c.on] ?? []).map((other) => ({
          title: `${c.action} on ${other.title} (${c.call})`,
          expect: 'denied' as const,
          request: asRole(role, c.action, other.resource, (w) => ({ ...(c.context?.(w) ?? {}), ...resourceTags(other.tags(w)) })),
        })),
      ),
    ...calls.flatMap((c) => {
      const sends = c.sends;
      if (!sends) return [];
      return NOT_OUR_TAGS.map((other) => ({
        title: `${c.action} on the tenant's ${c.on} ${other.title} (${c.call})`,
        expect: 'denied' as const,
        request: asRole(role, c.action, (w) => resourceOf(c.on, w), (w) => ({ ...(c.context?.(w) ?? {}), ...requestTags(other.tags(sends(w))) })),
      }));
    }),
    ...LOG_CALLS.map((action) => ({
      title: `${action} to its own log group`,
      expect: 'allowed' as const,
      request: asRole(role, action, (w) => arnOf.logStream(role(w).functionName)),
    })),
    {
      title: `logs:PutLogEvents to the log group of ${otherLogGroupOwner}`,
      expect: 'denied' as const,
      request: asRole(role, 'logs:PutLogEvents', (w) => arnOf.logStream(w.functions.get(otherLogGroupOwner)?.functionName ?? '')),
    },
    ...[...othersOnly.values()].map((c) => ({
      title: `${c.action} on the tenant's ${c.on} (only ${ownersOf(c.action).join(', ')} call it)`,
      expect: 'denied' as const,
      request: tenantRequest(role, c),
    })),
    ...calls
      .filter((c) => TAGGING_ACTIONS.has(c.action))
      .flatMap((c) =>
        (EXISTING[c.on] ?? []).map((existing) => ({
          title: `${c.action} on ${existing.title}`,
          expect: existing.expect,
          request: asRole(role, c.action, existing.resource, (w) => ({ ...resourceTags(existing.tags(w)), ...requestTags(existing.sets(c.sends?.(w) ?? {}, w)) })),
        })),
      ),
    ...(STEP_LIMITS[fn] ?? []).map((limit) => ({ title: limit.title, expect: 'denied' as const, request: asRole(role, limit.action, limit.resource, limit.context) })),
    ...listed
      .filter((c) => prefixStageOnly(fn, c.action))
      .map((c) => ({ title: `${c.action} on the tenant's ${c.on} (${c.call}): only in a stage with prefix tenants`, expect: 'denied' as const, request: tenantRequest(role, c) })),
    ...(BUCKET_STAGE_LIMITS[fn] ?? []).map((limit) => ({ title: limit.title, expect: 'denied' as const, request: asRole(role, limit.action, limit.resource, limit.context) })),
    ...forbiddenCases(role),
  ]);
}

// --- The state machines' roles: invoke their own steps, nothing else of the stack. ---------

/** A state machine's steps: the functions its ASL names (`${CreateTenantUserFunctionArn}` → createTenantUser). */
function aslSteps(file: string): string[] {
  const asl = readFileSync(join(PROJECT_ROOT, 'statemachine', file), 'utf8');
  return [...new Set([...asl.matchAll(/\$\{(\w+)FunctionArn\}/g)].map((m) => `${(m[1] ?? '').charAt(0).toLowerCase()}${(m[1] ?? '').slice(1)}`))];
}

const MACHINES = [
  { logicalId: 'ProvisionTenantStateMachine', asl: 'provision-tenant.asl.json' },
  { logicalId: 'TeardownTenantStateMachine', asl: 'teardown-tenant.asl.json' },
  { logicalId: 'RestoreTenantStateMachine', asl: 'restore-tenant.asl.json' },
];

for (const { logicalId, asl } of MACHINES) {
  const machine = (w: World) => {
    const found = w.machines.find((m) => m.logicalId === logicalId);
    if (!found) throw new Error(`The packaged stack has no state machine ${logicalId}`);
    return found;
  };
  const steps = aslSteps(asl);
  const stepActions = [...new Map(Object.values(STEP_CALLS).flat().map((c) => [c.action, c])).values()];
  declareCases(`role of the ${logicalId}`, [
    ...Object.keys({ ...STEP_CALLS, ...PREFIX_TENANT_CALLS }).map((fn) => ({
      title: steps.includes(fn) ? `lambda:InvokeFunction of its step ${fn}` : `lambda:InvokeFunction of ${fn} (not a step of ${asl})`,
      expect: (steps.includes(fn) ? 'allowed' : 'denied') as Expectation,
      request: asRole(machine, 'lambda:InvokeFunction', (w) => w.functions.get(fn)?.functionArn ?? `no function ${fn}`),
    })),
    ...stepActions.map((c) => ({
      title: `${c.action} on the tenant's ${c.on} (a step's call, not the workflow's)`,
      expect: 'denied' as const,
      request: tenantRequest(machine, c),
    })),
    ...forbiddenCases(machine),
  ]);
}

// --- The stage with prefix tenants: its roles on the shared bucket and the prefix policy. ------

const inPrefixStage = (): World => prefixWorld;
const ADMIN_USER = arnOf.user('/', 'ops-admin');
/** A request by `role` on a user, carrying `tags` as its tags and `policyArn` as the policy it attaches. */
const attaching = (tags: (w: World) => Tags, policyArn: (w: World) => string) => (w: World) => ({ ...resourceTags(tags(w)), 'iam:PolicyARN': policyArn(w) });
const otherStageShared = (w: World) => inOtherStage(arnOf.bucket(sharedBucketOf(w)));

/** Per function, what it may not do in the stage with prefix tenants beyond FORBIDDEN: the neighbours of its own calls. */
const PREFIX_LIMITS: Record<string, { title: string; action: string; resource: (w: World) => string; context?: (w: World) => Context }[]> = {
  deleteTenantBucket: [
    ...['s3:DeleteObject', 's3:DeleteObjectVersion'].flatMap((action) => [
      { title: `${action.slice(3)} of a key at the shared bucket's root`, action, resource: (w: World) => inShared(w, 'index.html') },
      { title: `${action.slice(3)} of a key beside the tenants' prefixes (userdata/readme.txt)`, action, resource: (w: World) => inShared(w, 'userdata/readme.txt') },
      { title: `${action.slice(3)} of a key that only starts like a tenant's prefix (…-publishers/)`, action, resource: (w: World) => inShared(w, `userdata/${w.a.slug}-publishers/report.csv`) },
      { title: `${action.slice(3)} of a key with a tenant's prefix further down (archive/userdata/…)`, action, resource: (w: World) => inShared(w, `archive/${prefixOfA(w)}report.csv`) },
      { title: `${action.slice(3)} under tenant A's prefix of the other stage's shared bucket`, action, resource: (w: World) => `${otherStageShared(w)}/${prefixOfA(w)}report.csv` },
    ]),
    { title: "ListBucketVersions of the other stage's shared bucket", action: 's3:ListBucketVersions', resource: otherStageShared },
    ...['s3:DeleteBucket', 's3:DeleteBucketPolicy', 's3:PutBucketPolicy', 's3:GetBucketTagging'].map((action) => ({
      title: `${action.slice(3)} on the shared bucket`,
      action,
      resource: (w: World) => arnOf.bucket(sharedBucketOf(w)),
    })),
  ],
  createTenantUser: [
    ...[
      { title: 'AdministratorAccess', arn: () => ADMINISTRATOR_ACCESS },
      { title: 'AmazonS3FullAccess', arn: () => 'arn:aws:iam::aws:policy/AmazonS3FullAccess' },
      { title: 'the tenant boundary', arn: (w: World) => w.boundaryArn },
      { title: "the other stage's prefix policy", arn: (w: World) => inOtherStage(prefixPolicyArnOf(w)) },
      { title: 'a customer policy named like the prefix policy (…-tenant-prefix-v2)', arn: (w: World) => `${prefixPolicyArnOf(w)}-v2` },
    ].map((policy) => ({ title: `AttachUserPolicy of ${policy.title} to tenant A's user`, action: 'iam:AttachUserPolicy', resource: (w: World) => w.a.userArn, context: attaching(prefixTenantTags, policy.arn) })),
    ...[
      { title: "a user with tenant A's name but ManagedBy=terraform", user: (w: World) => w.a.userArn, tags: (w: World) => ({ ...prefixTenantTags(w), ManagedBy: 'terraform' }) },
      { title: `an operator's untagged user under ${OUR_PATH}`, user: () => arnOf.user(OUR_PATH, 'ops-breakglass'), tags: () => ({}) },
      { title: `the other stage's tenant A user (${OTHER_STAGE_PATH}), tagged as ours`, user: (w: World) => arnOf.user(OTHER_STAGE_PATH, w.a.userName), tags: prefixTenantTags },
      { title: 'an administrator under /, tagged as ours', user: () => ADMIN_USER, tags: prefixTenantTags },
    ].map((target) => ({ title: `AttachUserPolicy of the prefix policy to ${target.title}`, action: 'iam:AttachUserPolicy', resource: target.user, context: attaching(target.tags, prefixPolicyArnOf) })),
    { title: 'AttachGroupPolicy of the prefix policy', action: 'iam:AttachGroupPolicy', resource: () => arnOf.group(SHARED_PATH, 'readers'), context: (w) => ({ 'iam:PolicyARN': prefixPolicyArnOf(w) }) },
    { title: 'AttachRolePolicy of the prefix policy to a pipeline role', action: 'iam:AttachRolePolicy', resource: (w) => w.functions.get('createTenantUser')?.role.arn ?? '', context: (w) => ({ 'iam:PolicyARN': prefixPolicyArnOf(w) }) },
    { title: "DetachUserPolicy of the prefix policy from tenant A's user", action: 'iam:DetachUserPolicy', resource: (w) => w.a.userArn, context: attaching(prefixTenantTags, prefixPolicyArnOf) },
    { title: "CreateUser with the prefix tags and an extra tag key (CostCenter)", action: 'iam:CreateUser', resource: (w) => w.a.userArn, context: (w) => ({ ...requestTags({ ...prefixTenantTags(w), CostCenter: 'cc-4711' }), ...withBoundary(w) }) },
    { title: "TagUser on tenant A's user, to point its TenantPrefix at B's", action: 'iam:TagUser', resource: (w) => w.a.userArn, context: (w) => ({ ...resourceTags(prefixTenantTags(w)), ...requestTags({ [TAG_TENANT_PREFIX]: tenantPrefixOf(w.env.PREFIX_TEMPLATE ?? '', w.b.slug) }) }) },
  ],
  claimTenantPrefix: [
    ...['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging', 's3:GetObjectAcl'].flatMap((action) => [
      { title: `${action.slice(3)} of tenant A's folder object`, action, resource: (w: World) => prefixResourceOf('prefixFolder', w) },
      { title: `${action.slice(3)} of an object under tenant A's prefix`, action, resource: (w: World) => prefixResourceOf('prefixObject', w) },
    ]),
    { title: "GetObjectTagging of an object under tenant A's prefix (only the folder object's)", action: 's3:GetObjectTagging', resource: (w) => prefixResourceOf('prefixObject', w) },
    { title: "GetObjectTagging of a key at the shared bucket's root", action: 's3:GetObjectTagging', resource: (w) => inShared(w, 'index.html') },
    { title: 'ListBucketVersions of the shared bucket', action: 's3:ListBucketVersions', resource: (w) => prefixResourceOf('sharedBucket', w) },
    ...['s3:DeleteBucket', 's3:DeleteBucketPolicy', 's3:PutBucketPolicy', 's3:PutBucketTagging'].map((action) => ({
      title: `${action.slice(3)} on the shared bucket`,
      action,
      resource: (w: World) => arnOf.bucket(sharedBucketOf(w)),
    })),
    { title: "ListBucket on tenant A's own bucket (a bucket tenant's)", action: 's3:ListBucket', resource: (w) => w.a.bucketArn },
    { title: "ListBucket on the other stage's shared bucket", action: 's3:ListBucket', resource: otherStageShared },
    { title: 'ListBucket on a non-tenant bucket', action: 's3:ListBucket', resource: () => arnOf.bucket(NON_TENANT_BUCKET) },
    { title: "GetUser of tenant A's user", action: 'iam:GetUser', resource: (w) => w.a.userArn },
    { title: "AttachUserPolicy of the prefix policy to tenant A's user", action: 'iam:AttachUserPolicy', resource: (w) => w.a.userArn, context: attaching(prefixTenantTags, prefixPolicyArnOf) },
    ...['dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({ title: `${action.slice(9)} on the ledger table`, action, resource: (w: World) => w.arn.ledgerTable })),
  ],
};

/** What no role of the stage may do to the shared bucket, its tenants' objects or the prefix policy. */
const SHARED_FORBIDDEN: { title: string; action: string; resource: (w: World) => string }[] = [
  ...[
    's3:DeleteBucket', 's3:DeleteBucketPolicy', 's3:PutBucketPolicy', 's3:PutBucketAcl', 's3:PutBucketOwnershipControls', 's3:PutBucketPublicAccessBlock',
    's3:PutBucketVersioning', 's3:PutLifecycleConfiguration', 's3:PutBucketTagging', 's3:PutEncryptionConfiguration', 's3:CreateBucket',
  ].map((action) => ({ title: `${action.slice(3)} on the shared bucket`, action, resource: (w: World) => arnOf.bucket(sharedBucketOf(w)) })),
  ...['s3:GetObject', 's3:PutObject', 's3:PutObjectAcl'].map((action) => ({ title: `${action.slice(3)} of an object under tenant A's prefix`, action, resource: (w: World) => prefixResourceOf('prefixObject', w) })),
  ...['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy'].map((action) => ({
    title: `${action.slice(4)} of the prefix policy`,
    action,
    resource: prefixPolicyArnOf,
  })),
];

for (const fn of Object.keys(PREFIX_TENANT_CALLS)) {
  const role = (w: World) => functionOf(w, fn);
  declareCases(
    `role of ${fn} in a stage with prefix tenants`,
    [
      ...(PREFIX_TENANT_CALLS[fn] ?? []).map((c) => ({
        title: `${c.action} on tenant A's ${c.on} (${c.call})`,
        expect: 'allowed' as const,
        request: asRole(role, c.action, (w) => prefixResourceOf(c.on, w), c.context),
      })),
      ...(PREFIX_LIMITS[fn] ?? []).map((limit) => ({ title: limit.title, expect: 'denied' as const, request: asRole(role, limit.action, limit.resource, limit.context) })),
    ],
    inPrefixStage,
  );
}

// A bucket tenant of the same stage keeps what it had: its bucket is emptied and deleted as before.
declareCases(
  'role of deleteTenantBucket in a stage with prefix tenants, for a bucket tenant',
  (STEP_CALLS.deleteTenantBucket ?? []).map((c) => ({ title: `${c.action} on the tenant's ${c.on} (${c.call})`, expect: 'allowed' as const, request: tenantRequest((w) => functionOf(w, 'deleteTenantBucket'), c) })),
  inPrefixStage,
);

for (const fn of Object.keys({ ...STEP_CALLS, ...PREFIX_TENANT_CALLS })) {
  const role = (w: World) => functionOf(w, fn);
  const own = new Set([...(STEP_CALLS[fn] ?? []), ...(PREFIX_TENANT_CALLS[fn] ?? [])].map((c) => c.action));
  const othersOnly = [...new Map(Object.values(PREFIX_TENANT_CALLS).flat().filter((c) => !own.has(c.action)).map((c) => [c.action, c])).values()];
  declareCases(
    `role of ${fn} in a stage with prefix tenants, on the shared bucket and the prefix policy`,
    [
      ...othersOnly.map((c) => ({
        title: `${c.action} on tenant A's ${c.on} (${c.call}: only ${Object.keys(PREFIX_TENANT_CALLS).filter((other) => PREFIX_TENANT_CALLS[other]?.some((o) => o.action === c.action)).join(', ')} call it)`,
        expect: 'denied' as const,
        request: asRole(role, c.action, (w) => prefixResourceOf(c.on, w), c.context),
      })),
      ...SHARED_FORBIDDEN.map((f) => ({ title: f.title, expect: 'denied' as const, request: asRole(role, f.action, f.resource) })),
      ...forbiddenCases(role),
    ],
    inPrefixStage,
  );
}

for (const { logicalId } of MACHINES) {
  const machine = (w: World) => {
    const found = w.machines.find((m) => m.logicalId === logicalId);
    if (!found) throw new Error(`The packaged stack has no state machine ${logicalId}`);
    return found;
  };
  declareCases(
    `role of the ${logicalId} in a stage with prefix tenants`,
    [...SHARED_FORBIDDEN.map((f) => ({ title: f.title, expect: 'denied' as const, request: asRole(machine, f.action, f.resource) })), ...forbiddenCases(machine)],
    inPrefixStage,
  );
}

// --- The alarm topic: CloudWatch publishes this stage's alarms through its own key. ------------

/** A resource of the packaged stack, its ARN and its resource policy, resolved. */
function stackResource(w: World, logicalId: string, resourceArn: () => string, policyProperty: string): { arn: string; policy: PolicyDocument } {
  const properties = w.stack.template.Resources[logicalId]?.Properties;
  if (!properties) throw new Error(`The packaged stack has no ${logicalId}`);
  return { arn: resourceArn(), policy: w.stack.resolver.resolve(properties[policyProperty] as never) as unknown as PolicyDocument };
}
const alarmTopicKey = (w: World) => stackResource(w, 'AlarmTopicKey', () => w.stack.resolver.getAtt('AlarmTopicKey', 'Arn'), 'KeyPolicy');
const alarmTopic = (w: World) => ({ arn: w.stack.resolver.ref('AlarmTopic'), policy: stackResource(w, 'AlarmTopicPolicy', () => '', 'PolicyDocument').policy });

/** What CloudWatch sends acting for an alarm (the confused-deputy keys). */
const alarmContext = (account: string, alarmName: string): Context => ({
  ...TLS,
  'aws:SourceAccount': account,
  'aws:SourceArn': `arn:aws:cloudwatch:${DEPLOYMENT.region}:${account}:alarm:${alarmName}`,
});
const OUR_ALARM = `tenant-provisioner-${STAGE}-ProvisionFailedAlarm`;
const OTHER_ACCOUNT = '210987654321';

function asService(service: string, action: string, target: (w: World) => { arn: string; policy: PolicyDocument }, context: Context): Case['request'] {
  return (w) => {
    const { arn, policy } = target(w);
    return { principal: service, action, resource: arn, context, resourcePolicy: policy };
  };
}

declareCases("the alarm topic's key", [
  ...['kms:Decrypt', 'kms:GenerateDataKey'].map((action) => ({
    title: `${action} by CloudWatch for this stage's alarm`,
    expect: 'allowed' as const,
    request: asService('cloudwatch.amazonaws.com', action, alarmTopicKey, alarmContext(DEPLOYMENT.accountId, OUR_ALARM)),
  })),
  { title: "kms:GenerateDataKey by CloudWatch for the other stage's alarm", expect: 'denied', request: asService('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', alarmTopicKey, alarmContext(DEPLOYMENT.accountId, `tenant-provisioner-${OTHER_STAGE}-ProvisionFailedAlarm`)) },
  { title: "kms:GenerateDataKey by CloudWatch for another account's alarm", expect: 'denied', request: asService('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', alarmTopicKey, alarmContext(OTHER_ACCOUNT, OUR_ALARM)) },
  { title: 'kms:Encrypt by CloudWatch', expect: 'denied', request: asService('cloudwatch.amazonaws.com', 'kms:Encrypt', alarmTopicKey, alarmContext(DEPLOYMENT.accountId, OUR_ALARM)) },
  { title: 'kms:CreateGrant by CloudWatch', expect: 'denied', request: asService('cloudwatch.amazonaws.com', 'kms:CreateGrant', alarmTopicKey, alarmContext(DEPLOYMENT.accountId, OUR_ALARM)) },
  { title: 'kms:Decrypt by EventBridge', expect: 'denied', request: asService('events.amazonaws.com', 'kms:Decrypt', alarmTopicKey, alarmContext(DEPLOYMENT.accountId, OUR_ALARM)) },
]);

declareCases('the alarm topic', [
  { title: "sns:Publish by CloudWatch for this stage's alarm", expect: 'allowed', request: asService('cloudwatch.amazonaws.com', 'sns:Publish', alarmTopic, alarmContext(DEPLOYMENT.accountId, OUR_ALARM)) },
  { title: "sns:Publish by CloudWatch for another account's alarm", expect: 'denied', request: asService('cloudwatch.amazonaws.com', 'sns:Publish', alarmTopic, alarmContext(OTHER_ACCOUNT, OUR_ALARM)) },
  { title: 'sns:Publish by EventBridge', expect: 'denied', request: asService('events.amazonaws.com', 'sns:Publish', alarmTopic, alarmContext(DEPLOYMENT.accountId, OUR_ALARM)) },
  { title: 'sns:Publish by anyone without TLS', expect: 'denied', request: asService('cloudwatch.amazonaws.com', 'sns:Publish', alarmTopic, { ...alarmContext(DEPLOYMENT.accountId, OUR_ALARM), ...NO_TLS }) },
]);

// --- The rotation function: Secrets Manager invokes it for this stage's tenant secrets only. ---

/**
 * The rotation function's resource policy as Lambda builds it from the template's
 * AWS::Lambda::Permission resources naming it: Principal, Action, and SourceAccount/SourceArn as
 * the StringEquals/ArnLike conditions (Lambda developer guide, "Viewing resource-based IAM
 * policies in Lambda").
 */
function rotationFunction(w: World): { arn: string; policy: PolicyDocument } {
  const fn = functionOf(w, 'rotateTenantCredentials');
  const permissions = Object.values(w.stack.template.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::Permission' && w.stack.resolver.resolve(r.Properties.FunctionName as never) === fn.functionArn,
  );
  if (permissions.length === 0) throw new Error('The packaged stack gives no principal leave to invoke the rotation function');
  const Statement = permissions.map(({ Properties: p }) => {
    const value = (key: string) => (p[key] === undefined ? undefined : (w.stack.resolver.resolve(p[key] as never) as string));
    const sourceAccount = value('SourceAccount');
    const sourceArn = value('SourceArn');
    return {
      Effect: 'Allow',
      Principal: { Service: value('Principal') },
      Action: value('Action'),
      Resource: fn.functionArn,
      ...(sourceAccount || sourceArn
        ? { Condition: { ...(sourceAccount ? { StringEquals: { 'AWS:SourceAccount': sourceAccount } } : {}), ...(sourceArn ? { ArnLike: { 'AWS:SourceArn': sourceArn } } : {}) } }
        : {}),
    };
  });
  return { arn: fn.functionArn, policy: { Version: '2012-10-17', Statement } };
}

/** What Secrets Manager sends acting for the rotation of `secretArn` in `account`. */
const rotationOf = (account: string, secretArn: string): Context => ({ ...TLS, 'aws:SourceAccount': account, 'aws:SourceArn': secretArn });
const asSecretsManager = (context: (w: World) => Context, service = 'secretsmanager.amazonaws.com'): Case['request'] => (w) => asService(service, 'lambda:InvokeFunction', rotationFunction, context(w))(w);

declareCases('the rotation function, invoked', [
  { title: "by Secrets Manager rotating tenant A's secret", expect: 'allowed', request: asSecretsManager((w) => rotationOf(DEPLOYMENT.accountId, w.a.secretArn)) },
  { title: "by Secrets Manager rotating tenant B's secret", expect: 'allowed', request: asSecretsManager((w) => rotationOf(DEPLOYMENT.accountId, w.b.secretArn)) },
  {
    title: "by Secrets Manager rotating the other stage's tenant A secret",
    expect: 'denied',
    request: asSecretsManager((w) => rotationOf(DEPLOYMENT.accountId, arnOf.secret(w.a.secretName.replace(`/${STAGE}/`, `/${OTHER_STAGE}/`)))),
  },
  { title: 'by Secrets Manager rotating a secret outside the tenant prefix (prod/payments-db)', expect: 'denied', request: asSecretsManager(() => rotationOf(DEPLOYMENT.accountId, arnOf.secret('prod/payments-db'))) },
  {
    title: "by Secrets Manager rotating another account's secret of the same name (a confused deputy)",
    expect: 'denied',
    request: asSecretsManager((w) => rotationOf(OTHER_ACCOUNT, w.a.secretArn.replace(`:${DEPLOYMENT.accountId}:`, `:${OTHER_ACCOUNT}:`))),
  },
  { title: 'by EventBridge, from this account', expect: 'denied', request: asSecretsManager((w) => rotationOf(DEPLOYMENT.accountId, w.a.secretArn), 'events.amazonaws.com') },
  { title: 'by Step Functions, from this account', expect: 'denied', request: asSecretsManager((w) => rotationOf(DEPLOYMENT.accountId, w.a.secretArn), 'states.amazonaws.com') },
]);

// --- What the cases rest on: the real artefacts, fully resolved, every role covered. --------

describe('the evaluated artefacts', () => {
  it('are the stage as deployed: TLS-only bucket policies and the boundary the code generates', () => {
    expect(world.env.BUCKET_POLICY_TLS_ONLY).toBe('true');
    expect(world.boundary.policy).toEqual(tenantBoundaryPolicy());
    expect(world.bucketPolicies.get(world.a.bucket)?.Statement.map((s) => s.Sid)).toContain('DenyInsecureTransport');
  });

  it('resolve every policy of every role to concrete ARNs', () => {
    const roles = world.stack.roleIds().map((id) => world.stack.role(id));
    expect(roles.length).toBeGreaterThan(Object.keys(STEP_CALLS).length);
    const unresolved = roles.flatMap((r) => [...r.policies, ...(r.boundary ? [r.boundary] : [])].filter((p) => hasUnresolved(p.policy)).map((p) => p.name));
    expect(unresolved).toEqual([]);
    // A resource CloudFormation names at deploy time would leave the policy's ARN a guess.
    expect(JSON.stringify(roles.map((r) => r.policies))).not.toContain('-GENERATED');
    for (const arn of Object.values(world.arn)) expect(arn).toMatch(/^arn:aws:[a-z0-9-]+:/);
  });

  it("evaluate the ledger requests on the table the functions are given (TENANT_LEDGER_TABLE), which is the stack's TenantLedgerTable", () => {
    expect(world.arn.ledgerTable).toBe(world.stack.resolver.getAtt('TenantLedgerTable', 'Arn'));
    expect(world.arn.ledgerTable).toBe(`arn:aws:dynamodb:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:table/tenant-provisioner-${STAGE}-tenants`);
    const ledgerWriters = Object.keys(STEP_CALLS).filter((fn) => STEP_CALLS[fn]?.some((c) => c.on === 'ledgerTable' && c.action !== 'dynamodb:GetItem')).sort();
    expect(ledgerWriters).toEqual(['recordTenantState', 'routeOrgEvent', 'trackExecutionStatus']);
    // The steps that change the tenant read its item first (lib/ledger/run-guard.ts), and only read it.
    const ledgerReaders = Object.keys(STEP_CALLS).filter((fn) => STEP_CALLS[fn]?.some((c) => c.on === 'ledgerTable') && !ledgerWriters.includes(fn)).sort();
    expect(ledgerReaders).toEqual(['applyTenantBucketPolicy', 'configureTenantBucket', 'createTenantBucket', 'createTenantUser', 'issueTenantCredentials', 'restoreTenantAccess', 'revokeTenantAccess']);
  });

  it('have an expectations table for every function, and every role belongs to a function or a state machine', () => {
    expect([...world.functions.keys()].sort()).toEqual(Object.keys({ ...STEP_CALLS, ...PREFIX_TENANT_CALLS }).sort());
    expect(world.machines.map((m) => m.logicalId).sort()).toEqual(MACHINES.map((m) => m.logicalId).sort());
    const covered = [...world.functions.values(), ...world.machines].map((x) => x.role.logicalId);
    expect(world.stack.roleIds().sort()).toEqual([...new Set(covered)].sort());
  });

  it('give each function its own role', () => {
    const roles = [...world.functions.values()].map((fn) => fn.role.logicalId);
    expect(new Set(roles).size).toBe(roles.length);
  });
});

/** Every action an Allow statement of the role names (wildcards kept as written). */
function grantedActions(role: RolePolicies): string[] {
  return role.policies.flatMap((p) => p.policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => ([] as unknown[]).concat(s.Action ?? `NotAction ${JSON.stringify(s.NotAction)}`) as string[]));
}

describe('the evaluated artefacts of the stage with prefix tenants', () => {
  it('are that stage as deployed: the shared bucket the stack creates, the prefix policy and the boundary the code generates for it', () => {
    const shared = prefixWorld.stack.resolver.ref('SharedBucket');
    expect(prefixWorld.env).toMatchObject({ TENANCY: 'prefix', SHARED_BUCKET: shared, PREFIX_TEMPLATE: 'userdata/{slug}-publisher/', OBJECT_ACLS: 'disabled', BUCKET_POLICY_TLS_ONLY: 'true' });
    expect(prefixWorld.boundary.policy).toEqual(tenantBoundaryPolicy({ sharedBucket: shared }));
    const prefixPolicy = prefixWorld.stack.template.Resources.TenantPrefixPolicy;
    expect(prefixWorld.stack.resolver.ref('TenantPrefixPolicy')).toBe(prefixPolicyArnOf(prefixWorld));
    expect(prefixWorld.stack.resolver.resolve(prefixPolicy?.Properties.PolicyDocument as never)).toEqual(prefixTenantPolicy({ sharedBucket: shared }));
    expect(prefixOfA(prefixWorld)).toBe('userdata/acme-bistro-42-publisher/');
  });

  it('resolve every policy of every role to concrete ARNs, the shared bucket\'s among them', () => {
    const roles = prefixWorld.stack.roleIds().map((id) => prefixWorld.stack.role(id));
    const unresolved = roles.flatMap((r) => [...r.policies, ...(r.boundary ? [r.boundary] : [])].filter((p) => hasUnresolved(p.policy)).map((p) => p.name));
    expect(unresolved).toEqual([]);
    expect(JSON.stringify(roles.map((r) => r.policies))).toContain(arnOf.bucket(sharedBucketOf(prefixWorld)));
  });

  it('have the same functions and roles as the stage without prefix tenants', () => {
    expect([...prefixWorld.functions.keys()].sort()).toEqual([...world.functions.keys()].sort());
    expect(prefixWorld.stack.roleIds().sort()).toEqual(world.stack.roleIds().sort());
  });
});

/** The actions function `fn`'s code may call in a stage with or without prefix tenants. */
function neededActions(fn: string, withPrefixTenants: boolean): Set<string> {
  const actions = [...(STEP_CALLS[fn] ?? []), ...(PREFIX_TENANT_CALLS[fn] ?? [])].map((c) => c.action);
  return new Set([...LOG_CALLS, ...actions.filter((action) => withPrefixTenants || !prefixStageOnly(fn, action))]);
}

describe('each pipeline role', () => {
  for (const fn of Object.keys({ ...STEP_CALLS, ...PREFIX_TENANT_CALLS })) {
    it.each([
      ['without', false],
      ['with', true],
    ])(`of ${fn} grants no action its code does not call, in a stage %s prefix tenants`, (_how, withPrefixTenants) => {
      const { role } = functionOf(withPrefixTenants ? prefixWorld : world, fn);
      const needed = neededActions(fn, withPrefixTenants);
      const unused = [...new Set(grantedActions(role))].filter((action) => !needed.has(action)).sort();
      expect({ role: role.logicalId, unused }).toEqual({ role: role.logicalId, unused: [] });
    });
  }

  it('of claimTenantPrefix only reads, in a stage with prefix tenants', () => {
    const { role } = functionOf(prefixWorld, 'claimTenantPrefix');
    const writes = grantedActions(role).filter((action) => !LOG_CALLS.includes(action) && !/^[a-z0-9]+:(Get|List|Head|Describe)/.test(action));
    expect({ granted: grantedActions(role).length > LOG_CALLS.length, writes }).toEqual({ granted: true, writes: [] });
  });
});

// --- AGPL: iam-simulate is for these tests only. -------------------------------------------

describe('the packaged function bundles', () => {
  it('contain no @cloud-copilot (AGPL) code', () => {
    const bundles = [...world.functions.values()].map((fn) => {
      const code = world.packaged.template.Resources[fn.logicalId]?.Properties.Code as { S3Key: string };
      return join(world.packaged.outDir, code.S3Key.split('/').pop() ?? '');
    });
    const offending: string[] = [];
    let sourcesChecked = 0;
    for (const bundle of bundles) {
      for (const [name, content] of zipEntries(bundle)) {
        if (name.endsWith('.map')) {
          const sources = (JSON.parse(content.toString('utf8')) as { sources: string[] }).sources;
          sourcesChecked += sources.length;
          offending.push(...sources.filter((s) => s.includes('@cloud-copilot/')).map((s) => `${name}: ${s}`));
        } else if (content.includes('@cloud-copilot/')) offending.push(name);
      }
    }
    // The source maps list every bundled module: without them there would be nothing to check.
    expect(sourcesChecked).toBeGreaterThan(bundles.length);
    expect(offending).toEqual([]);
  });
});

// --- The summary: last, after every case above has been evaluated. ------------------------

it('finds no surprises', () => {
  const tally = ledger.result();
  process.stdout.write(`${ledger.summaryLine()}\n`);
  if (process.env.SECURITY_SUITE_VERBOSE) process.stdout.write(`${JSON.stringify({ byCategory: tally.byCategory }, null, 2)}\n`);
  expect(tally.evaluated).toBeGreaterThan(0);
  expect(tally.surprises).toEqual([]);
});
