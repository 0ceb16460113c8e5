/**
 * Prefix tenancy's isolation, proven with iam-simulate: every prefix tenant of a stage has a
 * prefix of the stage's one shared bucket, its user carries TenantBucket (the shared bucket) and
 * TenantPrefix tags, the one managed policy of all prefix tenants (prefixTenantPolicy) is attached
 * to it, and the tenants' permissions boundary (tenantBoundaryPolicy with the shared bucket) caps it.
 * Resolved for account 123456789012, us-east-1, stage dev, as the rest of the suite, with the
 * documents functions/lib/policies.ts builds (the stack's boundary comes from it too); the shared
 * bucket has no bucket policy here, so identity policy and boundary decide alone.
 *
 * Proves: tenant A may Get/Put/Delete only under its prefix and List only with an s3:prefix under
 * it, with the shared policy and with AmazonS3FullAccess attached instead (the boundary alone);
 * nothing at the bucket root, under a parent, under B's prefix or a look-alike one, in another
 * stage's shared bucket; a user without a well-formed TenantPrefix tag gets nothing; and a bucket
 * tenant's boundary decides every request as the boundary before prefix tenancy did, with a stray
 * TenantPrefix tag too.
 *
 * Then, request matrices with exact expectations: two stages, each with its own shared bucket,
 * policy and boundary, keep their tenants apart; with object ACLs disabled (the default) no ACL
 * action is granted and an upload may carry no ACL but bucket-owner-full-control; with them
 * enabled a tenant may give its own objects a canned ACL of TENANT_CANNED_ACLS and nothing else,
 * anywhere else; neither setting ever lets a grant list through; a bucket tenant keeps exactly its
 * rights under the boundary with ACLs; each policy and boundary is one document of a fixed size
 * under IAM's limit; and each ACL matrix catches every deliberately widened policy. Prints one
 * summary line, and one per matrix.
 */
import { CONFIG_DEFAULTS, tenantUserPath } from '../../functions/lib/config';
import { prefixTenantPolicy, TENANT_CANNED_ACLS, tenantBoundaryPolicy } from '../../functions/lib/policies';
import { assertTenantPrefix } from '../../functions/lib/s3-names';
import { TAG_TENANT_BUCKET, TAG_TENANT_PREFIX, tagsToRecord, tenantTags } from '../../functions/lib/tags';
import { describeRequest, SecurityLedger, simulate, type Expectation, type SecurityRequest } from './support/simulation';
import type { NamedPolicy, PolicyDocument } from './support/stack-policies';
import type { Context, Tags } from './support/step-calls';
import { arnOf, DEPLOYMENT, inOtherStage, OTHER_STAGE, SERVICE, STAGE } from './support/world';

const ledger = new SecurityLedger(DEPLOYMENT.accountId);

/** The stage's shared bucket, and the same bucket of the other stage. */
const SHARED_BUCKET = `${SERVICE}-${STAGE}-shared`;
const SHARED = arnOf.bucket(SHARED_BUCKET);
const OTHER_STAGE_SHARED = inOtherStage(SHARED);
const NON_TENANT_BUCKET = arnOf.bucket('payroll-exports');

/** A tenant's prefix as the default template (`userdata/{slug}-publisher/`) makes it. */
const prefixOf = (slug: string): string => assertTenantPrefix(`userdata/${slug}-publisher/`);
const A_PREFIX = prefixOf('a');
const B_PREFIX = prefixOf('b');
/** A's prefix without its `/`, followed by more: another tenant's, if tags did not end in `/`. */
const LOOKALIKE_PREFIX = 'userdata/a-publisher-2/';

const PREFIX_TENANT_POLICY: NamedPolicy = { name: 'PrefixTenantPolicy', policy: prefixTenantPolicy({ sharedBucket: SHARED_BUCKET }) as unknown as PolicyDocument };
const BOUNDARY: NamedPolicy = { name: 'TenantBoundaryPolicy', policy: tenantBoundaryPolicy({ sharedBucket: SHARED_BUCKET }) as unknown as PolicyDocument };
/** AmazonS3FullAccess as AWS publishes it (version 2): attached by mistake, only the boundary stands in the way. */
const AMAZON_S3_FULL_ACCESS: NamedPolicy = { name: 'AmazonS3FullAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }] } };

/** The tenant boundary as it was before prefix tenancy, word for word: what a bucket tenant's rights are held to. */
const BOUNDARY_BEFORE_PREFIX_TENANCY: NamedPolicy = {
  name: 'TenantBoundaryPolicy (before prefix tenancy)',
  policy: {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'TenantObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::${aws:PrincipalTag/TenantBucket}/*' },
      { Sid: 'TenantList', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::${aws:PrincipalTag/TenantBucket}' },
    ],
  },
};

interface User {
  arn: string;
  tags: Tags;
}

/** A tenant user of `stage` as CreateTenantUser tags it; `extra` are its TenantBucket and TenantPrefix (or their absence). */
function tenantUser(orgId: string, extra: Tags, stage = STAGE): User {
  const slug = orgId.toLowerCase();
  const tags = tenantTags(orgId, `${slug}-g1-provision.0123456789ab`);
  return { arn: arnOf.user(tenantUserPath(stage), `${CONFIG_DEFAULTS.userPrefix}${slug}`), tags: { ...tagsToRecord(tags), ...extra } };
}

const prefixTenant = (slug: string, prefix: string | undefined): User =>
  tenantUser(slug, { [TAG_TENANT_BUCKET]: SHARED_BUCKET, ...(prefix === undefined ? {} : { [TAG_TENANT_PREFIX]: prefix }) });

const TENANT_A = prefixTenant('a', A_PREFIX);
const TENANT_B = prefixTenant('b', B_PREFIX);

/** The context AWS builds for a request by a user that carries `tags`. */
const principalTags = (tags: Tags): Context => Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value]));

/** A ListBucket request's context: its s3:prefix and s3:delimiter, each only when the request sends it. */
function listing(prefix?: string, delimiter?: string): Context {
  return { ...(prefix === undefined ? {} : { 's3:prefix': prefix }), ...(delimiter === undefined ? {} : { 's3:delimiter': delimiter }) };
}

interface Probe {
  title: string;
  action: string;
  resource: string;
  context?: Context;
}

interface Case extends Probe {
  expect: Expectation;
}

function requestOf(category: string, user: User, identity: NamedPolicy, probe: Probe, expect: Expectation, boundary: NamedPolicy = BOUNDARY): SecurityRequest {
  return {
    category,
    title: probe.title,
    principal: user.arn,
    action: probe.action,
    resource: probe.resource,
    context: { ...principalTags(user.tags), ...probe.context },
    identityPolicies: [identity],
    boundary,
    expect,
  };
}

/** Evaluates `request` (counting it on the ledger); on a surprise, the reasons come with it (the diff then shows why). */
async function expectDecision(request: SecurityRequest): Promise<void> {
  const outcome = await ledger.evaluate(request);
  const seen = { request: describeRequest(request), decision: outcome.decision };
  expect(outcome.decision === request.expect ? seen : { ...seen, why: outcome.why }).toEqual({ request: describeRequest(request), decision: request.expect });
}

function declareCases(category: string, user: User, identity: NamedPolicy, cases: Case[], boundary: NamedPolicy = BOUNDARY): void {
  describe(category, () => {
    for (const c of cases) {
      it(`${c.expect === 'allowed' ? 'may' : 'may not'} ${c.title}`, () => expectDecision(requestOf(category, user, identity, c, c.expect, boundary)));
    }
  });
}

const object = (bucket: string, key: string) => `${bucket}/${key}`;
const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];
const verb = (action: string) => action.slice(3);

/** What tenant A may do: its object actions under its prefix, and listing with an s3:prefix under it. */
const OWN_PREFIX: Case[] = [
  ...OBJECT_ACTIONS.map((action): Case => ({ title: `${verb(action)} under its prefix`, action, resource: object(SHARED, `${A_PREFIX}site/config.json`), expect: 'allowed' })),
  { title: 'PutObject deeper under its prefix', action: 's3:PutObject', resource: object(SHARED, `${A_PREFIX}2026/11/layers/parcels.geojson`), expect: 'allowed' },
  { title: 'PutObject of its prefix\'s "folder" object', action: 's3:PutObject', resource: object(SHARED, A_PREFIX), expect: 'allowed' },
  { title: 'ListBucket with s3:prefix its prefix', action: 's3:ListBucket', resource: SHARED, context: listing(A_PREFIX), expect: 'allowed' },
  { title: 'ListBucket with s3:prefix its prefix and s3:delimiter "/"', action: 's3:ListBucket', resource: SHARED, context: listing(A_PREFIX, '/'), expect: 'allowed' },
  { title: 'ListBucket with s3:prefix under its prefix', action: 's3:ListBucket', resource: SHARED, context: listing(`${A_PREFIX}2026/`), expect: 'allowed' },
];

/** What tenant A may not do, whatever identity policy it has: everything outside its prefix, and anything but its object actions and listing. */
const OUTSIDE_ITS_PREFIX: Case[] = [
  { title: 'ListBucket of the bucket root (no s3:prefix)', action: 's3:ListBucket', resource: SHARED, expect: 'denied' },
  { title: 'ListBucket of the bucket root (s3:prefix "")', action: 's3:ListBucket', resource: SHARED, context: listing(''), expect: 'denied' },
  { title: 'ListBucket of the bucket root with s3:delimiter "/"', action: 's3:ListBucket', resource: SHARED, context: listing('', '/'), expect: 'denied' },
  { title: 'ListBucket with s3:prefix "userdata/" (every tenant)', action: 's3:ListBucket', resource: SHARED, context: listing('userdata/'), expect: 'denied' },
  { title: 'ListBucket with s3:prefix "userdata/" and s3:delimiter "/" (every tenant\'s name)', action: 's3:ListBucket', resource: SHARED, context: listing('userdata/', '/'), expect: 'denied' },
  { title: 'ListBucket with s3:prefix its prefix without the "/" (reaches a-publisher-2/)', action: 's3:ListBucket', resource: SHARED, context: listing(A_PREFIX.slice(0, -1)), expect: 'denied' },
  { title: `ListBucket with s3:prefix B's prefix ${B_PREFIX}`, action: 's3:ListBucket', resource: SHARED, context: listing(B_PREFIX), expect: 'denied' },
  { title: `ListBucket with s3:prefix the look-alike ${LOOKALIKE_PREFIX}`, action: 's3:ListBucket', resource: SHARED, context: listing(LOOKALIKE_PREFIX), expect: 'denied' },
  ...OBJECT_ACTIONS.map((action): Case => ({ title: `${verb(action)} on B's objects`, action, resource: object(SHARED, `${B_PREFIX}site/config.json`), expect: 'denied' })),
  ...OBJECT_ACTIONS.map((action): Case => ({ title: `${verb(action)} under the look-alike ${LOOKALIKE_PREFIX}`, action, resource: object(SHARED, `${LOOKALIKE_PREFIX}site/config.json`), expect: 'denied' })),
  { title: 'GetObject on the key of its prefix without the "/"', action: 's3:GetObject', resource: object(SHARED, A_PREFIX.slice(0, -1)), expect: 'denied' },
  { title: 'PutObject at the bucket root', action: 's3:PutObject', resource: object(SHARED, 'index.html'), expect: 'denied' },
  { title: 'PutObject under userdata/ (the parent of every prefix)', action: 's3:PutObject', resource: object(SHARED, 'userdata/index.json'), expect: 'denied' },
  ...OBJECT_ACTIONS.map((action): Case => ({ title: `${verb(action)} under its prefix of the other stage's shared bucket`, action, resource: object(OTHER_STAGE_SHARED, `${A_PREFIX}site/config.json`), expect: 'denied' })),
  { title: "ListBucket with its prefix on the other stage's shared bucket", action: 's3:ListBucket', resource: OTHER_STAGE_SHARED, context: listing(A_PREFIX), expect: 'denied' },
  { title: 'GetObject on a non-tenant bucket, under its prefix', action: 's3:GetObject', resource: object(NON_TENANT_BUCKET, `${A_PREFIX}site/config.json`), expect: 'denied' },
  { title: 'PutObjectAcl under its prefix', action: 's3:PutObjectAcl', resource: object(SHARED, `${A_PREFIX}site/config.json`), expect: 'denied' },
  { title: 'GetObjectAcl under its prefix', action: 's3:GetObjectAcl', resource: object(SHARED, `${A_PREFIX}site/config.json`), expect: 'denied' },
  { title: 'ListBucketVersions with s3:prefix its prefix', action: 's3:ListBucketVersions', resource: SHARED, context: listing(A_PREFIX), expect: 'denied' },
  { title: 'DeleteBucket on the shared bucket', action: 's3:DeleteBucket', resource: SHARED, expect: 'denied' },
  { title: 'PutBucketPolicy on the shared bucket', action: 's3:PutBucketPolicy', resource: SHARED, expect: 'denied' },
  { title: 'ListAllMyBuckets', action: 's3:ListAllMyBuckets', resource: '*', expect: 'denied' },
];

declareCases("prefix tenant A's user (the shared policy, the boundary)", TENANT_A, PREFIX_TENANT_POLICY, [...OWN_PREFIX, ...OUTSIDE_ITS_PREFIX]);
declareCases("prefix tenant A's user with AmazonS3FullAccess instead (the boundary alone caps it)", TENANT_A, AMAZON_S3_FULL_ACCESS, [...OWN_PREFIX, ...OUTSIDE_ITS_PREFIX]);

declareCases("prefix tenant B's user (the same policy)", TENANT_B, PREFIX_TENANT_POLICY, [
  { title: 'GetObject under its own prefix', action: 's3:GetObject', resource: object(SHARED, `${B_PREFIX}site/config.json`), expect: 'allowed' },
  { title: 'ListBucket with s3:prefix its own prefix', action: 's3:ListBucket', resource: SHARED, context: listing(B_PREFIX), expect: 'allowed' },
  { title: "GetObject on A's objects", action: 's3:GetObject', resource: object(SHARED, `${A_PREFIX}site/config.json`), expect: 'denied' },
  { title: "ListBucket with s3:prefix A's prefix", action: 's3:ListBucket', resource: SHARED, context: listing(A_PREFIX), expect: 'denied' },
]);

/** Requests a user of the shared bucket with no usable TenantPrefix tag makes: none may be allowed. */
const ANYWHERE_IN_THE_SHARED_BUCKET: Case[] = [
  ...OBJECT_ACTIONS.map((action): Case => ({ title: `${verb(action)} under A's prefix`, action, resource: object(SHARED, `${A_PREFIX}site/config.json`), expect: 'denied' })),
  ...OBJECT_ACTIONS.map((action): Case => ({ title: `${verb(action)} under ${LOOKALIKE_PREFIX}`, action, resource: object(SHARED, `${LOOKALIKE_PREFIX}site/config.json`), expect: 'denied' })),
  { title: 'GetObject at the bucket root', action: 's3:GetObject', resource: object(SHARED, 'index.html'), expect: 'denied' },
  { title: 'ListBucket of the bucket root (no s3:prefix)', action: 's3:ListBucket', resource: SHARED, expect: 'denied' },
  { title: "ListBucket with s3:prefix A's prefix", action: 's3:ListBucket', resource: SHARED, context: listing(A_PREFIX), expect: 'denied' },
  { title: `ListBucket with s3:prefix ${A_PREFIX.slice(0, -1)}`, action: 's3:ListBucket', resource: SHARED, context: listing(A_PREFIX.slice(0, -1)), expect: 'denied' },
];

/**
 * The shape condition (`?*` then `/`) is what refuses the tag without its `/`; iam-simulate treats
 * an empty tag as no tag, so the condition's part in refusing the empty one shows only on AWS.
 */
const MALFORMED_PREFIX_USERS: { title: string; user: User }[] = [
  { title: 'a user of the shared bucket without a TenantPrefix tag', user: prefixTenant('untagged', undefined) },
  { title: 'a user whose TenantPrefix is empty ("${…}*" could read "*")', user: prefixTenant('empty', '') },
  { title: `a user whose TenantPrefix ${JSON.stringify(A_PREFIX.slice(0, -1))} does not end in "/"`, user: prefixTenant('unslashed', A_PREFIX.slice(0, -1)) },
];
for (const { title, user } of MALFORMED_PREFIX_USERS) {
  declareCases(`${title}, with the shared policy`, user, PREFIX_TENANT_POLICY, ANYWHERE_IN_THE_SHARED_BUCKET);
  declareCases(`${title}, with AmazonS3FullAccess (the boundary alone)`, user, AMAZON_S3_FULL_ACCESS, ANYWHERE_IN_THE_SHARED_BUCKET);
}

// --- A bucket tenant: the boundary with the shared bucket decides as the one before it. -----

const BUCKET_TENANT_BUCKET = `${CONFIG_DEFAULTS.bucketPrefix}-acme-bistro-42`;
const OTHER_TENANT_BUCKET = `${CONFIG_DEFAULTS.bucketPrefix}-globex-7`;

/**
 * Every request of the grid: the object actions (and ACL requests) on objects and the bucket
 * actions on buckets, of its own, another tenant's, the shared and a non-tenant bucket.
 */
function bucketTenantGrid(): Probe[] {
  const buckets = [arnOf.bucket(BUCKET_TENANT_BUCKET), arnOf.bucket(OTHER_TENANT_BUCKET), SHARED, OTHER_STAGE_SHARED, NON_TENANT_BUCKET];
  const keys = ['orders/2026/11/report.csv', 'pub/menu.pdf', `${A_PREFIX}site/config.json`, 'index.html'];
  const objectProbes = buckets.flatMap((bucket) =>
    keys.flatMap((key) => [
      ...[...OBJECT_ACTIONS, 's3:PutObjectAcl', 's3:GetObjectAcl', 's3:GetObjectVersion'].map((action) => ({ title: `${verb(action)} on ${object(bucket, key)}`, action, resource: object(bucket, key) })),
      ...['s3:PutObject', 's3:PutObjectAcl'].map((action) => ({ title: `${verb(action)} with x-amz-acl public-read on ${object(bucket, key)}`, action, resource: object(bucket, key), context: cannedAcl('public-read') })),
    ]),
  );
  const listings: (Context | undefined)[] = [undefined, listing(''), listing('orders/'), listing(A_PREFIX, '/'), listing('userdata/')];
  const bucketProbes = buckets.flatMap((bucket) => [
    ...listings.map((context) => ({ title: `ListBucket on ${bucket}${context ? ` with ${JSON.stringify(context)}` : ''}`, action: 's3:ListBucket', resource: bucket, ...(context ? { context } : {}) })),
    ...['s3:ListBucketVersions', 's3:DeleteBucket', 's3:PutBucketPolicy', 's3:GetBucketPolicy'].map((action) => ({ title: `${verb(action)} on ${bucket}`, action, resource: bucket })),
  ]);
  return [...objectProbes, ...bucketProbes];
}

/**
 * Decides every request of the grid for `user` under `boundary` and expects the decision the
 * boundary before prefix tenancy reaches on it; returns the requests that boundary allows.
 */
async function decideGridAsBefore(category: string, user: User, identity: NamedPolicy, boundary: NamedPolicy): Promise<Probe[]> {
  const allowedBefore: Probe[] = [];
  let deniedBefore = 0;
  for (const probe of bucketTenantGrid()) {
    const previously = await simulate(requestOf(category, user, identity, probe, 'allowed', BOUNDARY_BEFORE_PREFIX_TENANCY), DEPLOYMENT.accountId);
    if (previously.decision === 'error') throw new Error(`${probe.title}: ${previously.why}`);
    if (previously.decision === 'allowed') allowedBefore.push(probe);
    else deniedBefore += 1;
    await expectDecision(requestOf(category, user, identity, probe, previously.decision, boundary));
  }
  // Not a vacuous comparison: the grid holds both of the old boundary's answers.
  expect(allowedBefore.length).toBeGreaterThanOrEqual(10);
  expect(deniedBefore).toBeGreaterThanOrEqual(100);
  return allowedBefore;
}

const BUCKET_TENANT = tenantUser('acme-bistro-42', { [TAG_TENANT_BUCKET]: BUCKET_TENANT_BUCKET });
const BUCKET_TENANT_WITH_STRAY_PREFIX = tenantUser('acme-bistro-42', { [TAG_TENANT_BUCKET]: BUCKET_TENANT_BUCKET, [TAG_TENANT_PREFIX]: A_PREFIX });
const BUCKET_TENANT_VARIANTS: { title: string; user: User; identity: NamedPolicy }[] = [
  { title: 'with AmazonS3FullAccess attached (the boundary decides)', user: BUCKET_TENANT, identity: AMAZON_S3_FULL_ACCESS },
  { title: 'with AmazonS3FullAccess and a stray TenantPrefix tag', user: BUCKET_TENANT_WITH_STRAY_PREFIX, identity: AMAZON_S3_FULL_ACCESS },
];

describe("a bucket tenant's boundary, now that it knows the shared bucket", () => {
  it('is, for a stage without a shared bucket, the boundary before prefix tenancy word for word', () => {
    expect(tenantBoundaryPolicy()).toEqual(BOUNDARY_BEFORE_PREFIX_TENANCY.policy);
  });

  for (const { title, user, identity } of BUCKET_TENANT_VARIANTS) {
    it(`decides every request of the grid as before, ${title}`, async () => {
      await decideGridAsBefore(`bucket tenant ${title}: as before prefix tenancy`, user, identity, BOUNDARY);
    });
  }
});

// --- Matrices. Each category is `<matrix> › <who, with what>`; the summary gives each matrix's figures. ---

const CROSS_STAGE = 'cross-stage';
const ACLS_DISABLED = 'object ACLs disabled';
const ACLS_ENABLED = 'object ACLs enabled';
const BUCKET_TENANT_WITH_ACLS = 'bucket tenant, boundary with object ACLs';
const POLICY_SIZE = 'policy size';
const MATRICES = [CROSS_STAGE, ACLS_DISABLED, ACLS_ENABLED, BUCKET_TENANT_WITH_ACLS, POLICY_SIZE];
const inMatrix = (matrix: string, who: string) => `${matrix} › ${who}`;

/** The context of a request that sends the canned ACL header `x-amz-acl: <acl>`. */
function cannedAcl(acl: string): Context {
  return { 's3:x-amz-acl': acl };
}

/** One stage's prefix tenancy: its shared bucket, the prefix policy and the boundary its stack makes. */
interface StageTenancy {
  stage: string;
  sharedBucket: string;
  /** The shared bucket's ARN. */
  shared: string;
  objectAcls: boolean;
  policy: NamedPolicy;
  boundary: NamedPolicy;
}

function stageTenancy(stage: string, objectAcls: boolean): StageTenancy {
  const sharedBucket = `${SERVICE}-${stage}-shared`;
  const acls = objectAcls ? ', object ACLs enabled' : '';
  return {
    stage,
    sharedBucket,
    shared: arnOf.bucket(sharedBucket),
    objectAcls,
    policy: { name: `PrefixTenantPolicy (${stage}${acls})`, policy: prefixTenantPolicy({ sharedBucket, objectAcls }) as unknown as PolicyDocument },
    boundary: { name: `TenantBoundaryPolicy (${stage}${acls})`, policy: tenantBoundaryPolicy({ sharedBucket, objectAcls }) as unknown as PolicyDocument },
  };
}

/** The prefix tenant `slug` of `tenancy`'s stage: its user under that stage's path, tagged with that stage's shared bucket. */
const stagePrefixTenant = (tenancy: StageTenancy, slug: string): User =>
  tenantUser(slug, { [TAG_TENANT_BUCKET]: tenancy.sharedBucket, [TAG_TENANT_PREFIX]: prefixOf(slug) }, tenancy.stage);

// --- 1. Cross-stage: dev's tenant A and prod's tenant A never reach each other's prefix. ------

/**
 * Tenant A's requests on its prefix of `bucket` (a shared bucket's ARN): its object actions and
 * listing, and an upload with x-amz-acl bucket-owner-full-control (the one ACL an upload may carry
 * in either setting), expected `expect`; a public-read upload and the ACL actions, `aclExpect`.
 */
function aPrefixRequests(bucket: string, where: string, expect: Expectation, aclExpect: Expectation): Case[] {
  const key = object(bucket, `${A_PREFIX}site/config.json`);
  return [
    ...OBJECT_ACTIONS.map((action): Case => ({ title: `${verb(action)} under A's prefix of ${where}`, action, resource: key, expect })),
    { title: `ListBucket of ${where} with s3:prefix A's prefix`, action: 's3:ListBucket', resource: bucket, context: listing(A_PREFIX), expect },
    { title: `ListBucket of ${where} with s3:prefix A's prefix and s3:delimiter "/"`, action: 's3:ListBucket', resource: bucket, context: listing(A_PREFIX, '/'), expect },
    { title: `PutObject with x-amz-acl bucket-owner-full-control under A's prefix of ${where}`, action: 's3:PutObject', resource: key, context: cannedAcl('bucket-owner-full-control'), expect },
    { title: `PutObject with x-amz-acl public-read under A's prefix of ${where}`, action: 's3:PutObject', resource: key, context: cannedAcl('public-read'), expect: aclExpect },
    { title: `PutObjectAcl with x-amz-acl public-read under A's prefix of ${where}`, action: 's3:PutObjectAcl', resource: key, context: cannedAcl('public-read'), expect: aclExpect },
    { title: `GetObjectAcl under A's prefix of ${where}`, action: 's3:GetObjectAcl', resource: key, expect: aclExpect },
  ];
}

for (const objectAcls of [false, true]) {
  const dev = stageTenancy(STAGE, objectAcls);
  const prod = stageTenancy(OTHER_STAGE, objectAcls);
  for (const [home, away] of [
    [dev, prod],
    [prod, dev],
  ] as const) {
    const user = stagePrefixTenant(home, 'a');
    const identities: { title: string; identity: NamedPolicy; grantsHome: boolean }[] = [
      { title: `its stage's prefix policy`, identity: home.policy, grantsHome: true },
      { title: 'AmazonS3FullAccess instead (the boundary alone)', identity: AMAZON_S3_FULL_ACCESS, grantsHome: true },
      { title: `the ${away.stage} stage's prefix policy, attached by mistake`, identity: away.policy, grantsHome: false },
    ];
    for (const { title, identity, grantsHome } of identities) {
      const homeExpect: Expectation = grantsHome ? 'allowed' : 'denied';
      const homeAclExpect: Expectation = grantsHome && objectAcls ? 'allowed' : 'denied';
      declareCases(
        inMatrix(CROSS_STAGE, `tenant A of ${home.stage} (object ACLs ${objectAcls ? 'enabled' : 'disabled'}), ${title}, ${home.stage}'s boundary`),
        user,
        identity,
        [...aPrefixRequests(home.shared, `${home.stage}'s shared bucket`, homeExpect, homeAclExpect), ...aPrefixRequests(away.shared, `${away.stage}'s shared bucket`, 'denied', 'denied')],
        home.boundary,
      );
    }
  }
}

// --- 2 and 3. Object ACLs, disabled (the default) and enabled. -------------------------------

const ALL_USERS = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"';
/** Another AWS account, by canonical user id (the example id of the S3 documentation). */
const ANOTHER_ACCOUNT = 'id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"';
/** Each x-amz-grant-* header (the condition key S3 sets from it) with a grantee it might name, and that grantee in words. */
const GRANT_HEADERS: [key: string, grantee: string, whom: string][] = [
  ['s3:x-amz-grant-read', ALL_USERS, 'AllUsers'],
  ['s3:x-amz-grant-write', ALL_USERS, 'AllUsers'],
  ['s3:x-amz-grant-read-acp', ANOTHER_ACCOUNT, 'another account'],
  ['s3:x-amz-grant-write-acp', ANOTHER_ACCOUNT, 'another account'],
  ['s3:x-amz-grant-full-control', ANOTHER_ACCOUNT, 'another account'],
];
/** The canned ACLs a tenant may not set: every AWS account, anyone writing, EC2's read. */
const REFUSED_CANNED_ACLS = ['authenticated-read', 'public-read-write', 'aws-exec-read'];

/** An ACL request, and the decision on the tenant's own prefix with object ACLs disabled and enabled. */
interface AclProbe {
  title: string;
  action: string;
  context?: Context;
  disabled: Expectation;
  enabled: Expectation;
}

/**
 * With object ACLs disabled, an upload under the tenant's own prefix may carry no ACL header or
 * `x-amz-acl: bucket-owner-full-control` (which a BucketOwnerEnforced bucket accepts, and some
 * clients send on every upload), never another canned ACL and never an x-amz-grant-* header. The
 * policy itself refuses them, whatever the shared bucket accepts: a named existing bucket keeps its
 * own Object Ownership, and one that accepts ACLs would otherwise honour `public-read` or a grant
 * to another account. So a client that sends any other ACL header gets AccessDenied from IAM, and
 * the AccessControlListNotSupported a BucketOwnerEnforced bucket would answer is never reached.
 * The ACL actions themselves (PutObjectAcl, GetObjectAcl) are granted to no one.
 *
 * With object ACLs enabled, an upload may carry a canned ACL of TENANT_CANNED_ACLS or none, an
 * ACL change must name one, and no request may carry an x-amz-grant-* header; GetObjectAcl is
 * granted; the versions' ACLs are not (PutObjectVersionAcl, GetObjectVersionAcl).
 */
const ACL_PROBES: AclProbe[] = [
  { title: 'PutObject without an ACL', action: 's3:PutObject', disabled: 'allowed', enabled: 'allowed' },
  ...TENANT_CANNED_ACLS.map((acl): AclProbe => ({
    title: `PutObject with x-amz-acl ${acl}`,
    action: 's3:PutObject',
    context: cannedAcl(acl),
    disabled: acl === 'bucket-owner-full-control' ? 'allowed' : 'denied',
    enabled: 'allowed',
  })),
  ...REFUSED_CANNED_ACLS.map((acl): AclProbe => ({ title: `PutObject with x-amz-acl ${acl}`, action: 's3:PutObject', context: cannedAcl(acl), disabled: 'denied', enabled: 'denied' })),
  ...GRANT_HEADERS.map(([key, grantee, whom]): AclProbe => ({ title: `PutObject with ${key.slice(3)} ${whom}`, action: 's3:PutObject', context: { [key]: grantee }, disabled: 'denied', enabled: 'denied' })),
  {
    title: 'PutObject with x-amz-acl public-read and x-amz-grant-full-control another account',
    action: 's3:PutObject',
    context: { ...cannedAcl('public-read'), 's3:x-amz-grant-full-control': ANOTHER_ACCOUNT },
    disabled: 'denied',
    enabled: 'denied',
  },
  {
    title: 'PutObject with x-amz-acl bucket-owner-full-control and x-amz-grant-read AllUsers',
    action: 's3:PutObject',
    context: { ...cannedAcl('bucket-owner-full-control'), 's3:x-amz-grant-read': ALL_USERS },
    disabled: 'denied',
    enabled: 'denied',
  },
  ...TENANT_CANNED_ACLS.map((acl): AclProbe => ({ title: `PutObjectAcl with x-amz-acl ${acl}`, action: 's3:PutObjectAcl', context: cannedAcl(acl), disabled: 'denied', enabled: 'allowed' })),
  { title: 'PutObjectAcl without x-amz-acl (an ACL in the body)', action: 's3:PutObjectAcl', disabled: 'denied', enabled: 'denied' },
  ...REFUSED_CANNED_ACLS.map((acl): AclProbe => ({ title: `PutObjectAcl with x-amz-acl ${acl}`, action: 's3:PutObjectAcl', context: cannedAcl(acl), disabled: 'denied', enabled: 'denied' })),
  ...GRANT_HEADERS.map(([key, grantee, whom]): AclProbe => ({ title: `PutObjectAcl with ${key.slice(3)} ${whom}`, action: 's3:PutObjectAcl', context: { [key]: grantee }, disabled: 'denied', enabled: 'denied' })),
  {
    title: 'PutObjectAcl with x-amz-acl public-read and x-amz-grant-read-acp another account',
    action: 's3:PutObjectAcl',
    context: { ...cannedAcl('public-read'), 's3:x-amz-grant-read-acp': ANOTHER_ACCOUNT },
    disabled: 'denied',
    enabled: 'denied',
  },
  { title: 'GetObjectAcl', action: 's3:GetObjectAcl', disabled: 'denied', enabled: 'allowed' },
  { title: 'PutObjectVersionAcl with x-amz-acl public-read', action: 's3:PutObjectVersionAcl', context: cannedAcl('public-read'), disabled: 'denied', enabled: 'denied' },
  { title: 'GetObjectVersionAcl', action: 's3:GetObjectVersionAcl', disabled: 'denied', enabled: 'denied' },
];

/** Where tenant A's ACL requests go: its own prefix, and the places every one of them is denied. */
const ACL_PLACES: { where: string; key: string; own: boolean }[] = [
  { where: 'under its prefix', key: object(SHARED, `${A_PREFIX}site/parcels.geojson`), own: true },
  { where: "on B's object", key: object(SHARED, `${B_PREFIX}site/parcels.geojson`), own: false },
  { where: 'at the bucket root', key: object(SHARED, 'parcels.geojson'), own: false },
  { where: 'on the key of its prefix without the "/"', key: object(SHARED, A_PREFIX.slice(0, -1)), own: false },
  { where: `under the look-alike ${LOOKALIKE_PREFIX}`, key: object(SHARED, `${LOOKALIKE_PREFIX}site/parcels.geojson`), own: false },
  { where: "under its prefix of the other stage's shared bucket", key: object(OTHER_STAGE_SHARED, `${A_PREFIX}site/parcels.geojson`), own: false },
];

function aclCases(setting: 'disabled' | 'enabled'): Case[] {
  return ACL_PLACES.flatMap(({ where, key, own }) =>
    ACL_PROBES.map((probe): Case => ({ title: `${probe.title} ${where}`, action: probe.action, resource: key, ...(probe.context ? { context: probe.context } : {}), expect: own ? probe[setting] : 'denied' })),
  );
}

const ACL_PREFIX_TENANT_POLICY: NamedPolicy = { name: 'PrefixTenantPolicy (object ACLs enabled)', policy: prefixTenantPolicy({ sharedBucket: SHARED_BUCKET, objectAcls: true }) as unknown as PolicyDocument };
const ACL_BOUNDARY: NamedPolicy = { name: 'TenantBoundaryPolicy (object ACLs enabled)', policy: tenantBoundaryPolicy({ sharedBucket: SHARED_BUCKET, objectAcls: true }) as unknown as PolicyDocument };

declareCases(inMatrix(ACLS_DISABLED, "tenant A, the shared policy, the boundary"), TENANT_A, PREFIX_TENANT_POLICY, aclCases('disabled'));
declareCases(inMatrix(ACLS_DISABLED, 'tenant A, AmazonS3FullAccess instead (the boundary alone)'), TENANT_A, AMAZON_S3_FULL_ACCESS, aclCases('disabled'));

/**
 * What enabling object ACLs means for public objects: a tenant can make its own objects readable
 * by anyone (`public-read`: the shared bucket is then BucketOwnerPreferred and does not block or
 * ignore public ACLs, so S3 honours it and an anonymous GET of that object succeeds), and can
 * make them private again. It can never do so for anyone else's object (B's, the root's, another
 * stage's: every ACL request outside its own prefix is denied), never let anyone write
 * (`public-read-write`), never grant every AWS account (`authenticated-read`) and never name a
 * grantee at all (no x-amz-grant-* header, no ACL in the body): no other AWS account ever gets
 * anything. IAM grants only the request; whether S3 then honours a public ACL also depends on the
 * bucket's and the account's Block Public Access, which IAM policy evaluation does not show.
 * The ACL of an older version stays as it was: with versioning on, a version once made public
 * stays readable by its version id after the tenant overwrites or deletes the object, until the
 * tenant's teardown deletes its versions (it has neither PutObjectVersionAcl nor DeleteObjectVersion).
 */
declareCases(inMatrix(ACLS_ENABLED, 'tenant A, the shared ACL policy, the ACL boundary'), TENANT_A, ACL_PREFIX_TENANT_POLICY, aclCases('enabled'), ACL_BOUNDARY);
declareCases(inMatrix(ACLS_ENABLED, 'tenant A, AmazonS3FullAccess instead (the ACL boundary alone)'), TENANT_A, AMAZON_S3_FULL_ACCESS, aclCases('enabled'), ACL_BOUNDARY);
declareCases(
  inMatrix(ACLS_ENABLED, 'tenant B, the shared ACL policy, the ACL boundary'),
  TENANT_B,
  ACL_PREFIX_TENANT_POLICY,
  [
    { title: 'PutObject with x-amz-acl public-read under its own prefix', action: 's3:PutObject', resource: object(SHARED, `${B_PREFIX}site/parcels.geojson`), context: cannedAcl('public-read'), expect: 'allowed' },
    { title: 'PutObjectAcl with x-amz-acl public-read under its own prefix', action: 's3:PutObjectAcl', resource: object(SHARED, `${B_PREFIX}site/parcels.geojson`), context: cannedAcl('public-read'), expect: 'allowed' },
    { title: "PutObjectAcl with x-amz-acl public-read on A's object", action: 's3:PutObjectAcl', resource: object(SHARED, `${A_PREFIX}site/parcels.geojson`), context: cannedAcl('public-read'), expect: 'denied' },
    { title: "PutObjectAcl with x-amz-acl private on A's object", action: 's3:PutObjectAcl', resource: object(SHARED, `${A_PREFIX}site/parcels.geojson`), context: cannedAcl('private'), expect: 'denied' },
    { title: "GetObjectAcl on A's object", action: 's3:GetObjectAcl', resource: object(SHARED, `${A_PREFIX}site/parcels.geojson`), expect: 'denied' },
  ],
  ACL_BOUNDARY,
);

/** ACL requests of a user of the shared bucket with no usable TenantPrefix tag: none may be allowed. */
const ACLS_ANYWHERE_IN_THE_SHARED_BUCKET: Case[] = [object(SHARED, `${A_PREFIX}site/parcels.geojson`), object(SHARED, `${LOOKALIKE_PREFIX}site/parcels.geojson`), object(SHARED, 'parcels.geojson')].flatMap((key) => [
  { title: `PutObject with x-amz-acl public-read on ${key}`, action: 's3:PutObject', resource: key, context: cannedAcl('public-read'), expect: 'denied' },
  { title: `PutObjectAcl with x-amz-acl public-read on ${key}`, action: 's3:PutObjectAcl', resource: key, context: cannedAcl('public-read'), expect: 'denied' },
  { title: `GetObjectAcl on ${key}`, action: 's3:GetObjectAcl', resource: key, expect: 'denied' },
]);
for (const { title, user } of MALFORMED_PREFIX_USERS) {
  declareCases(inMatrix(ACLS_ENABLED, `${title}, the shared ACL policy`), user, ACL_PREFIX_TENANT_POLICY, ACLS_ANYWHERE_IN_THE_SHARED_BUCKET, ACL_BOUNDARY);
  declareCases(inMatrix(ACLS_ENABLED, `${title}, AmazonS3FullAccess (the ACL boundary alone)`), user, AMAZON_S3_FULL_ACCESS, ACLS_ANYWHERE_IN_THE_SHARED_BUCKET, ACL_BOUNDARY);
}

/** A policy-document rewrite standing for a bug in prefixTenantStatements: applied to the policy and the boundary alike. */
interface Widening {
  title: string;
  /** The setting whose matrix must catch it. */
  setting: 'disabled' | 'enabled';
  widen: (statement: Record<string, unknown>) => Record<string, unknown>;
  /** A case of that setting's matrix that must then be decided otherwise. */
  caughtBy: string;
}

type Rewrite = Widening['widen'];
const conditionOf = (statement: Record<string, unknown>) => statement.Condition as Record<string, Record<string, unknown>>;
/** Rewrites the statement `sid` only. */
const onStatement =
  (sid: string, rewrite: Rewrite): Rewrite =>
  (s) =>
    s.Sid === sid ? rewrite(s) : s;
const uploadsWithoutGrantListCondition = onStatement('PrefixTenantUploads', (s) => ({ ...s, Condition: { ...conditionOf(s), Null: undefined } }));
const uploadsWithoutAclCondition = onStatement('PrefixTenantUploads', (s) => ({ ...s, Condition: { ...conditionOf(s), StringEqualsIfExists: undefined } }));
const uploadsWithAcls = (acls: string[]) => onStatement('PrefixTenantUploads', (s) => ({ ...s, Condition: { ...conditionOf(s), StringEqualsIfExists: { 's3:x-amz-acl': acls } } }));
const onTheWholeBucket = (sid: string) => onStatement(sid, (s) => ({ ...s, Resource: String(s.Resource).replace('${aws:PrincipalTag/TenantPrefix}*', '*') }));

const WIDENINGS: Widening[] = [
  {
    title: 'uploads without the grant-header Null condition',
    setting: 'disabled',
    widen: uploadsWithoutGrantListCondition,
    caughtBy: 'PutObject with x-amz-grant-full-control another account under its prefix',
  },
  {
    title: 'uploads without the x-amz-acl condition (any canned ACL, as before)',
    setting: 'disabled',
    widen: uploadsWithoutAclCondition,
    caughtBy: 'PutObject with x-amz-acl public-read under its prefix',
  },
  {
    title: "uploads with the enabled setting's canned ACLs",
    setting: 'disabled',
    widen: uploadsWithAcls([...TENANT_CANNED_ACLS]),
    caughtBy: 'PutObject with x-amz-acl public-read under its prefix',
  },
  { title: 'uploads on the whole shared bucket', setting: 'disabled', widen: onTheWholeBucket('PrefixTenantUploads'), caughtBy: "PutObject without an ACL on B's object" },
  {
    title: 'uploads without the grant-header Null condition',
    setting: 'enabled',
    widen: uploadsWithoutGrantListCondition,
    caughtBy: 'PutObject with x-amz-grant-full-control another account under its prefix',
  },
  {
    title: 'uploads without the x-amz-acl condition',
    setting: 'enabled',
    widen: uploadsWithoutAclCondition,
    caughtBy: 'PutObject with x-amz-acl public-read-write under its prefix',
  },
  {
    title: 'ACL changes with StringEqualsIfExists (an ACL in the body let through)',
    setting: 'enabled',
    widen: onStatement('PrefixTenantCannedAcls', (s) => {
      const { StringEquals, ...rest } = conditionOf(s);
      return { ...s, Condition: { ...rest, StringEqualsIfExists: StringEquals } };
    }),
    caughtBy: 'PutObjectAcl without x-amz-acl (an ACL in the body) under its prefix',
  },
  {
    title: 'authenticated-read among the canned ACLs',
    setting: 'enabled',
    widen: uploadsWithAcls([...TENANT_CANNED_ACLS, 'authenticated-read']),
    caughtBy: 'PutObject with x-amz-acl authenticated-read under its prefix',
  },
  { title: 'ACL changes on the whole shared bucket', setting: 'enabled', widen: onTheWholeBucket('PrefixTenantCannedAcls'), caughtBy: "PutObjectAcl with x-amz-acl public-read on B's object" },
];

function widened(policy: NamedPolicy, widen: Rewrite): NamedPolicy {
  // Through JSON, so a condition the widening sets to undefined is gone, as from a document IAM reads.
  const statements = policy.policy.Statement.map((s) => JSON.parse(JSON.stringify(widen(s))) as Record<string, unknown>);
  return { name: `${policy.name}, widened`, policy: { ...policy.policy, Statement: statements } };
}

const POLICIES_OF_SETTING = {
  disabled: { matrix: ACLS_DISABLED, policy: PREFIX_TENANT_POLICY, boundary: BOUNDARY },
  enabled: { matrix: ACLS_ENABLED, policy: ACL_PREFIX_TENANT_POLICY, boundary: ACL_BOUNDARY },
};

for (const setting of ['disabled', 'enabled'] as const) {
  const { matrix, policy, boundary } = POLICIES_OF_SETTING[setting];
  describe(`${matrix}: the matrix catches a widened policy`, () => {
    for (const widening of WIDENINGS.filter((w) => w.setting === setting)) {
      it(`would report "${widening.caughtBy}" (and no error) if the policy and boundary had ${widening.title}`, async () => {
        const widePolicy = widened(policy, widening.widen);
        const wideBoundary = widened(boundary, widening.widen);
        expect(widePolicy.policy).not.toEqual(policy.policy);
        expect(wideBoundary.policy).not.toEqual(boundary.policy);
        const caught: string[] = [];
        for (const c of aclCases(setting)) {
          const outcome = await simulate(requestOf('widened', TENANT_A, widePolicy, c, c.expect, wideBoundary), DEPLOYMENT.accountId);
          if (outcome.decision === 'error') throw new Error(`${c.title}: ${outcome.why}`);
          if (outcome.decision !== c.expect) caught.push(c.title);
        }
        expect(caught).toContain(widening.caughtBy);
      });
    }
  });
}

// --- 4. A bucket tenant under the boundary with the shared bucket and object ACLs. -----------

/**
 * A bucket tenant that also carries a TenantPrefix tag (by mistake, or left from a prefix
 * generation) gains nothing under that prefix of its own bucket: the boundary keeps its prefix
 * statements to a user whose TenantBucket is the shared bucket, as it keeps its bucket statements
 * from one. Without that, the ACL boundary would let an identity policy give it GetObjectAcl, and
 * PutObjectAcl with a canned ACL, under that prefix of its own bucket.
 */
describe(`${BUCKET_TENANT_WITH_ACLS}: a bucket tenant keeps exactly its rights, nothing in the shared bucket`, () => {
  const ownBucket = arnOf.bucket(BUCKET_TENANT_BUCKET);
  for (const { title, user, identity } of BUCKET_TENANT_VARIANTS) {
    it(`decides every request of the grid as before, ${title}`, async () => {
      const allowed = await decideGridAsBefore(inMatrix(BUCKET_TENANT_WITH_ACLS, `bucket tenant ${title}`), user, identity, ACL_BOUNDARY);
      // Exactly its object actions and listing on its own bucket: no ACL action, nothing of any other bucket.
      expect(allowed.filter((p) => p.resource !== ownBucket && !p.resource.startsWith(`${ownBucket}/`))).toEqual([]);
      expect([...new Set(allowed.map((p) => p.action))].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    });
  }

  const [, strayPrefix] = BUCKET_TENANT_VARIANTS;
  if (!strayPrefix) throw new Error('a bucket tenant with a stray TenantPrefix tag expected');
  const withoutTenantBucketCondition: Rewrite = (s) => {
    if (!String(s.Sid).startsWith('PrefixTenant')) return s;
    const { StringEquals = {}, ...rest } = conditionOf(s);
    const { [`aws:PrincipalTag/${TAG_TENANT_BUCKET}`]: _sharedBucket, ...others } = StringEquals;
    return { ...s, Condition: { ...rest, ...(Object.keys(others).length > 0 ? { StringEquals: others } : {}) } };
  };
  it(`would report GetObjectAcl under the stray prefix of its own bucket if the ACL boundary's prefix statements were not kept to the shared bucket`, async () => {
    const boundary = widened(ACL_BOUNDARY, withoutTenantBucketCondition);
    expect(boundary.policy).not.toEqual(ACL_BOUNDARY.policy);
    const caught: string[] = [];
    for (const probe of bucketTenantGrid()) {
      const before = await simulate(requestOf('widened', strayPrefix.user, strayPrefix.identity, probe, 'allowed', BOUNDARY_BEFORE_PREFIX_TENANCY), DEPLOYMENT.accountId);
      const now = await simulate(requestOf('widened', strayPrefix.user, strayPrefix.identity, probe, 'allowed', boundary), DEPLOYMENT.accountId);
      if (before.decision === 'error' || now.decision === 'error') throw new Error(`${probe.title}: ${before.why} / ${now.why}`);
      if (now.decision !== before.decision) caught.push(probe.title);
    }
    expect(caught).toContain(`GetObjectAcl on ${object(ownBucket, `${A_PREFIX}site/config.json`)}`);
  });
});

// --- 5. Every policy and boundary is one document of a fixed size, whatever the number of tenants. ---

/** IAM's limit for a managed policy (a boundary is one too): 6,144 characters, white space not counted. */
const MANAGED_POLICY_MAX_CHARACTERS = 6_144;
const managedPolicySize = (document: string): number => document.replace(/\s/g, '').length;
const LONGEST_BUCKET_NAME = 'b'.repeat(63);
/** 10,000 tenants' slugs: the first and the last stand for every one of them. */
const SLUGS = Array.from({ length: 10_000 }, (_, i) => `org-${String(i + 1).padStart(5, '0')}`);

/** The documents the stack makes for a stage with prefix tenants, for its shared bucket's name. */
const SIZED_DOCUMENTS: { title: string; of: (sharedBucket: string) => object }[] = [
  { title: "the prefix tenants' policy", of: (sharedBucket) => prefixTenantPolicy({ sharedBucket }) },
  { title: "the prefix tenants' policy with object ACLs", of: (sharedBucket) => prefixTenantPolicy({ sharedBucket, objectAcls: true }) },
  { title: 'the boundary with the shared bucket', of: (sharedBucket) => tenantBoundaryPolicy({ sharedBucket }) },
  { title: 'the boundary with the shared bucket and object ACLs', of: (sharedBucket) => tenantBoundaryPolicy({ sharedBucket, objectAcls: true }) },
];

describe(inMatrix(POLICY_SIZE, 'every document for 1 and for 10,000 tenants'), () => {
  for (const { title, of } of SIZED_DOCUMENTS) {
    const document = JSON.stringify(of(SHARED_BUCKET));
    const size = managedPolicySize(document);
    const longestNameSize = managedPolicySize(JSON.stringify(of(LONGEST_BUCKET_NAME)));
    it(`${title} is one document naming no tenant, of ${size} characters (${longestNameSize} with a 63-character bucket name), under IAM's ${MANAGED_POLICY_MAX_CHARACTERS.toLocaleString('en-US')}`, () => {
      const documentsFor = (tenants: string[]) => new Set(tenants.map(() => JSON.stringify(of(SHARED_BUCKET))));
      expect(documentsFor(SLUGS.slice(0, 1))).toEqual(new Set([document]));
      expect(documentsFor(SLUGS)).toEqual(new Set([document]));
      expect(document).not.toMatch(/publisher|org-\d/);
      for (const characters of [size, longestNameSize]) expect(characters).toBeLessThan(MANAGED_POLICY_MAX_CHARACTERS);
      process.stdout.write(`${title}: ${size} characters for 1 tenant and for ${SLUGS.length} tenants, ${longestNameSize} with a 63-character bucket name\n`);
    });
  }
});

const FIRST = prefixTenant(SLUGS[0] ?? '', prefixOf(SLUGS[0] ?? ''));
const LAST = prefixTenant(SLUGS.at(-1) ?? '', prefixOf(SLUGS.at(-1) ?? ''));
const LAST_KEY = object(SHARED, `${LAST.tags[TAG_TENANT_PREFIX]}site/parcels.geojson`);
const FIRST_KEY = object(SHARED, `${FIRST.tags[TAG_TENANT_PREFIX]}site/parcels.geojson`);
declareCases(inMatrix(POLICY_SIZE, 'the 10,000th prefix tenant, with the same document'), LAST, PREFIX_TENANT_POLICY, [
  { title: 'PutObject under its own prefix', action: 's3:PutObject', resource: LAST_KEY, expect: 'allowed' },
  { title: 'PutObject with x-amz-acl bucket-owner-full-control under its own prefix', action: 's3:PutObject', resource: LAST_KEY, context: cannedAcl('bucket-owner-full-control'), expect: 'allowed' },
  { title: 'PutObject with x-amz-acl public-read under its own prefix', action: 's3:PutObject', resource: LAST_KEY, context: cannedAcl('public-read'), expect: 'denied' },
  { title: 'ListBucket with s3:prefix its own prefix', action: 's3:ListBucket', resource: SHARED, context: listing(LAST.tags[TAG_TENANT_PREFIX]), expect: 'allowed' },
  { title: "GetObject under the first tenant's prefix", action: 's3:GetObject', resource: FIRST_KEY, expect: 'denied' },
]);
declareCases(
  inMatrix(POLICY_SIZE, 'the 10,000th prefix tenant, with the same ACL document'),
  LAST,
  ACL_PREFIX_TENANT_POLICY,
  [
    { title: 'PutObject with x-amz-acl public-read under its own prefix', action: 's3:PutObject', resource: LAST_KEY, context: cannedAcl('public-read'), expect: 'allowed' },
    { title: 'PutObjectAcl with x-amz-acl public-read under its own prefix', action: 's3:PutObjectAcl', resource: LAST_KEY, context: cannedAcl('public-read'), expect: 'allowed' },
    { title: "PutObjectAcl with x-amz-acl public-read under the first tenant's prefix", action: 's3:PutObjectAcl', resource: FIRST_KEY, context: cannedAcl('public-read'), expect: 'denied' },
    { title: "GetObjectAcl under the first tenant's prefix", action: 's3:GetObjectAcl', resource: FIRST_KEY, expect: 'denied' },
  ],
  ACL_BOUNDARY,
);

// --- The summary: last, after every case above has been evaluated. ------------------------

it('finds no surprises', () => {
  const tally = ledger.result();
  process.stdout.write(`prefix tenancy ${ledger.summaryLine()}\n`);
  for (const matrix of MATRICES) {
    const figures = Object.entries(tally.byCategory)
      .filter(([category]) => category.startsWith(`${matrix} › `))
      .reduce((sum, [, c]) => ({ evaluated: sum.evaluated + c.evaluated, allowed: sum.allowed + c.allowed, denied: sum.denied + c.denied, surprises: sum.surprises + c.surprises }), { evaluated: 0, allowed: 0, denied: 0, surprises: 0 });
    process.stdout.write(`  ${matrix}: ${figures.evaluated} requests, ${figures.allowed} allowed as expected, ${figures.denied} denied as expected, ${figures.surprises} surprises\n`);
    expect({ matrix, evaluated: figures.evaluated > 0 }).toEqual({ matrix, evaluated: true });
  }
  if (process.env.SECURITY_SUITE_VERBOSE) process.stdout.write(`${JSON.stringify({ byCategory: tally.byCategory }, null, 2)}\n`);
  expect(tally.evaluated).toBeGreaterThan(0);
  expect(tally.surprises).toEqual([]);
});
