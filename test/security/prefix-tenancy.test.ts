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
 * stage's shared bucket; a user without a well-formed TenantPrefix tag gets nothing; the policy is
 * one document whatever the number of tenants; and a bucket tenant's boundary decides every
 * request as the boundary before prefix tenancy did. Prints one summary line.
 */
import { CONFIG_DEFAULTS, tenantUserPath } from '../../functions/lib/config';
import { prefixTenantPolicy, tenantBoundaryPolicy } from '../../functions/lib/policies';
import { assertTenantPrefix } from '../../functions/lib/s3-names';
import { TAG_TENANT_BUCKET, TAG_TENANT_PREFIX, tagsToRecord, tenantTags } from '../../functions/lib/tags';
import { describeRequest, SecurityLedger, simulate, type Expectation, type SecurityRequest } from './support/simulation';
import type { NamedPolicy, PolicyDocument } from './support/stack-policies';
import type { Context, Tags } from './support/step-calls';
import { arnOf, DEPLOYMENT, inOtherStage, SERVICE, STAGE } from './support/world';

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

/** A tenant user as CreateTenantUser tags it; `extra` are its TenantBucket and TenantPrefix (or their absence). */
function tenantUser(orgId: string, extra: Tags): User {
  const slug = orgId.toLowerCase();
  const tags = tenantTags(orgId, `${slug}-g1-provision.0123456789ab`);
  return { arn: arnOf.user(tenantUserPath(STAGE), `${CONFIG_DEFAULTS.userPrefix}${slug}`), tags: { ...tagsToRecord(tags), ...extra } };
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

/** Evaluates `request`; on a surprise, the reasons come with it (the diff then shows why). */
async function expectDecision(request: SecurityRequest): Promise<void> {
  const outcome = await ledger.evaluate(request);
  const seen = { request: describeRequest(request), decision: outcome.decision };
  expect(outcome.decision === request.expect ? seen : { ...seen, why: outcome.why }).toEqual({ request: describeRequest(request), decision: request.expect });
}

function declareCases(category: string, user: User, identity: NamedPolicy, cases: Case[]): void {
  describe(category, () => {
    for (const c of cases) {
      it(`${c.expect === 'allowed' ? 'may' : 'may not'} ${c.title}`, () => expectDecision(requestOf(category, user, identity, c, c.expect)));
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

// --- One document for every tenant: its size does not grow with their number. ---------------

describe('the prefix tenants\' policy for 1 and for 10,000 tenants', () => {
  const slugs = Array.from({ length: 10_000 }, (_, i) => `org-${String(i + 1).padStart(5, '0')}`);
  const documentsFor = (tenants: string[]) => new Set(tenants.map(() => JSON.stringify(prefixTenantPolicy({ sharedBucket: SHARED_BUCKET }))));

  it('is one and the same document, of the same size, naming no tenant', () => {
    const one = documentsFor(slugs.slice(0, 1));
    const all = documentsFor(slugs);
    expect(all).toEqual(one);
    expect(all.size).toBe(1);
    const [document = ''] = [...all];
    expect(document).not.toMatch(/publisher|org-\d/);
    // IAM's limit for a managed policy: 6,144 characters, white space not counted.
    expect(document.replace(/\s/g, '').length).toBeLessThan(6_144);
    process.stdout.write(`prefix tenants' policy: ${document.length} characters for 1 tenant and for ${slugs.length} tenants\n`);
  });

  const first = prefixTenant(slugs[0] ?? '', prefixOf(slugs[0] ?? ''));
  const last = prefixTenant(slugs.at(-1) ?? '', prefixOf(slugs.at(-1) ?? ''));
  declareCases('the 10,000th prefix tenant, with the same document', last, PREFIX_TENANT_POLICY, [
    { title: 'PutObject under its own prefix', action: 's3:PutObject', resource: object(SHARED, `${last.tags[TAG_TENANT_PREFIX]}site/config.json`), expect: 'allowed' },
    { title: 'ListBucket with s3:prefix its own prefix', action: 's3:ListBucket', resource: SHARED, context: listing(last.tags[TAG_TENANT_PREFIX]), expect: 'allowed' },
    { title: "GetObject under the first tenant's prefix", action: 's3:GetObject', resource: object(SHARED, `${first.tags[TAG_TENANT_PREFIX]}site/config.json`), expect: 'denied' },
  ]);
});

// --- A bucket tenant: the boundary with the shared bucket decides as the one before it. -----

const BUCKET_TENANT_BUCKET = `${CONFIG_DEFAULTS.bucketPrefix}-acme-bistro-42`;
const OTHER_TENANT_BUCKET = `${CONFIG_DEFAULTS.bucketPrefix}-globex-7`;

/** Every request of the grid: the object actions on objects and the bucket actions on buckets, of its own, another tenant's, the shared and a non-tenant bucket. */
function bucketTenantGrid(): Probe[] {
  const buckets = [arnOf.bucket(BUCKET_TENANT_BUCKET), arnOf.bucket(OTHER_TENANT_BUCKET), SHARED, OTHER_STAGE_SHARED, NON_TENANT_BUCKET];
  const keys = ['orders/2026/11/report.csv', 'pub/menu.pdf', `${A_PREFIX}site/config.json`, 'index.html'];
  const objectProbes = buckets.flatMap((bucket) =>
    keys.flatMap((key) => [...OBJECT_ACTIONS, 's3:PutObjectAcl', 's3:GetObjectVersion'].map((action) => ({ title: `${verb(action)} on ${object(bucket, key)}`, action, resource: object(bucket, key) }))),
  );
  const listings: (Context | undefined)[] = [undefined, listing(''), listing('orders/'), listing(A_PREFIX, '/'), listing('userdata/')];
  const bucketProbes = buckets.flatMap((bucket) => [
    ...listings.map((context) => ({ title: `ListBucket on ${bucket}${context ? ` with ${JSON.stringify(context)}` : ''}`, action: 's3:ListBucket', resource: bucket, ...(context ? { context } : {}) })),
    ...['s3:ListBucketVersions', 's3:DeleteBucket', 's3:PutBucketPolicy', 's3:GetBucketPolicy'].map((action) => ({ title: `${verb(action)} on ${bucket}`, action, resource: bucket })),
  ]);
  return [...objectProbes, ...bucketProbes];
}

describe("a bucket tenant's boundary, now that it knows the shared bucket", () => {
  it('is, for a stage without a shared bucket, the boundary before prefix tenancy word for word', () => {
    expect(tenantBoundaryPolicy()).toEqual(BOUNDARY_BEFORE_PREFIX_TENANCY.policy);
  });

  const bucketTenant = tenantUser('acme-bistro-42', { [TAG_TENANT_BUCKET]: BUCKET_TENANT_BUCKET });
  const withStrayPrefix = tenantUser('acme-bistro-42', { [TAG_TENANT_BUCKET]: BUCKET_TENANT_BUCKET, [TAG_TENANT_PREFIX]: A_PREFIX });
  const variants: { title: string; user: User; identity: NamedPolicy }[] = [
    { title: 'with AmazonS3FullAccess attached (the boundary decides)', user: bucketTenant, identity: AMAZON_S3_FULL_ACCESS },
    { title: 'with AmazonS3FullAccess and a stray TenantPrefix tag', user: withStrayPrefix, identity: AMAZON_S3_FULL_ACCESS },
  ];
  for (const { title, user, identity } of variants) {
    it(`decides every request of the grid as before, ${title}`, async () => {
      const category = `bucket tenant ${title}: as before prefix tenancy`;
      const before: Record<Expectation, number> = { allowed: 0, denied: 0 };
      for (const probe of bucketTenantGrid()) {
        const previously = await simulate(requestOf(category, user, identity, probe, 'allowed', BOUNDARY_BEFORE_PREFIX_TENANCY), DEPLOYMENT.accountId);
        if (previously.decision === 'error') throw new Error(`${probe.title}: ${previously.why}`);
        before[previously.decision] += 1;
        await expectDecision(requestOf(category, user, identity, probe, previously.decision));
      }
      // Not a vacuous comparison: the grid holds both of the old boundary's answers.
      expect(before.allowed).toBeGreaterThanOrEqual(10);
      expect(before.denied).toBeGreaterThanOrEqual(100);
    });
  }

});

// --- The summary: last, after every case above has been evaluated. ------------------------

it('finds no surprises', () => {
  const tally = ledger.result();
  process.stdout.write(`prefix tenancy ${ledger.summaryLine()}\n`);
  if (process.env.SECURITY_SUITE_VERBOSE) process.stdout.write(`${JSON.stringify({ byCategory: tally.byCategory }, null, 2)}\n`);
  expect(tally.evaluated).toBeGreaterThan(0);
  expect(tally.surprises).toEqual([]);
});
