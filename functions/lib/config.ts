import { bucketNameViolation, tenantPrefixViolation } from './s3-names';
import { DEFAULT_CONTINUE_AT_EVENTS } from './history-budget';

/**
 * Configuration, read and checked once at cold start. A missing or malformed variable
 * fails the cold start with its name, never later as `undefined` in a request.
 */

export interface Config {
  stage: string;
  accountId: string;
  /** The region the stack (and its Lambdas) run in. */
  region: string;
  /** Regions a tenant bucket may be created in; the first is the default. */
  allowedRegions: string[];
  bucketPrefix: string;
  userPrefix: string;
  /** ARN of the managed policy every tenant user gets as its permissions boundary. */
  tenantBoundaryArn: string;
  eventBusName: string;
  eventSource: string;
  /** Whether the bucket policy denies plain-HTTP requests (off only in the local stage). */
  bucketPolicyTlsOnly: boolean;
  maxBucketCandidates: number;
  /**
   * Whether an existing user is adopted only with the tenant boundary attached. Off only in
   * the local stage: the emulator does not keep a user's permissions boundary (docs/architecture.md, Emulator gaps).
   */
  verifyAdoptedUserBoundary: boolean;
  /**
   * Whether CreateTenantBucket checks that CreateBucket's Tags were applied, and puts them when
   * they were not: AWS applies them; an emulator may drop them (moto does). False on AWS, so no
   * call is made there for it.
   */
  verifyCreateBucketTags: boolean;
  /** Days a torn-down tenant's revoked data is kept before deletion when OrgDeleted names none. */
  defaultRetentionDays: number;
  /** The DynamoDB table of the tenant ledger (one item per tenant). */
  tenantLedgerTable: string;
  /** The account's IAM users quota: OrgCreated is refused when this many tenants are live. */
  tenantQuota: number;
  /**
   * How a new tenant of this stage is provisioned: `bucket` (its own bucket, the default) or
   * `prefix` (a prefix of the stage's shared bucket). The tenant ledger records each tenant's
   * own, so changing it never strands a tenant provisioned the other way.
   */
  tenancy: Tenancy;
  /**
   * The stage's shared bucket: set when the stage has (or had) prefix tenants, required when
   * `tenancy` is `prefix`. It belongs to this stage alone and is never a tenant bucket.
   */
  sharedBucket?: string;
  /** Where a prefix tenant's prefix is, `{slug}` standing for its slug; ends with `/`. */
  prefixTemplate: string;
  /** ARN of the one managed policy attached to every prefix tenant's user (with `sharedBucket`). */
  tenantPrefixPolicyArn?: string;
  /**
   * Whether prefix tenants may set object ACLs on their own objects (`OBJECT_ACLS=enabled`: the
   * shared bucket is BucketOwnerPreferred and accepts public ACLs). Off by default: ACLs disabled.
   */
  objectAcls: boolean;
  /**
   * Where tenant buckets are named: `global` (S3's shared namespace: `<prefix>-<slug>`, with hashed
   * fallbacks when a name is taken) or `account-regional` (`<prefix>-<slug>-<account>-<region>-an`,
   * which only this account can create, before or after a teardown).
   */
  bucketNamespace: BucketNamespace;
  /**
   * Days a teardown keeps a tenant's bucket, emptied and locked down, before deleting it
   * (KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS; 0, the default: deleted at once). Meant for the global
   * namespace: while we hold the name nobody else can create a bucket of it and serve content at
   * the old `pub/` URLs. An empty bucket costs nothing.
   */
  keepEmptyBucketAfterTeardownDays: number;
  /**
   * The history-event count (an upper bound, lib/history-budget.ts) at which a teardown's
   * bucket-deletion loop continues in a new execution (TEARDOWN_CONTINUE_AT_EVENTS; not a stage
   * parameter: the default keeps every execution under 20,000 of Step Functions' 25,000 events).
   */
  teardownContinueAtEvents: number;
  /**
   * Days between rotations of a tenant's access key (ROTATION_DAYS; Secrets Manager's
   * AutomaticallyAfterDays, 1–1000), set on the tenant's secret when its key is proven; 0: no
   * scheduled rotation (`tenantctl rotate` still rotates on demand).
   */
  rotationDays: number;
  /**
   * Days the previous access key stays active after a rotation, for consumers to pick up the new
   * one (PREVIOUS_KEY_OVERLAP_DAYS). Shorter than `rotationDays`: the next rotation deletes it.
   */
  previousKeyOverlapDays: number;
}

export type BucketNamespace = 'global' | 'account-regional';

/** A tenant's tenancy model: its own bucket, or a prefix of the stage's shared bucket. */
export type Tenancy = 'bucket' | 'prefix';
export const TENANCIES: readonly Tenancy[] = ['bucket', 'prefix'];

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The stage names osls accepts (letters, digits, `-`); a stage's name is part of its tenants' IAM path and secret names. */
const STAGE_NAME = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Path of every tenant IAM user of `stage`: `/tenants/<stage>/`. The pipeline may only create
 * and change users under it, so it belongs to this stage alone: nothing another stage, an
 * operator or another tool makes can live there and be mistaken for one of ours (docs/architecture.md, Security model).
 */
export function tenantUserPath(stage: string): string {
  return `/tenants/${stage}/`;
}

/** Where a stage's tenant secrets live: `<bucketPrefix>/<stage>/` (its own, as the user path is). */
export function tenantSecretPrefix(config: Pick<Config, 'bucketPrefix' | 'stage'>): string {
  return `${config.bucketPrefix}/${config.stage}/`;
}
/** The public prefix of every tenant bucket. */
export const PUBLIC_PREFIX = 'pub/';
export const MANAGED_BY = 'tenant-provisioner';

/**
 * The longest retention a teardown may wait. A Standard execution ends after one year and can be
 * redriven only within 14 days of failing and within that year: waiting at most 350 days leaves a
 * deletion that parks the full 14 days to be redriven, with a day to spare for the deletion itself.
 */
export const MAX_RETENTION_DAYS = 350;
/** IAM's default quota of users per account: one per tenant. */
export const DEFAULT_TENANT_QUOTA = 5000;

/**
 * The stage settings a stage gets when it names none: the one source of them (serverless.yml's
 * `params.default` repeats them for CloudFormation, and a deploy test holds it to these; the local
 * stage takes them from here).
 */
export const CONFIG_DEFAULTS = {
  bucketPrefix: 'fusion-rms',
  userPrefix: 'rms_',
  maxBucketCandidates: 4,
  defaultRetentionDays: 7,
  tenantQuota: DEFAULT_TENANT_QUOTA,
  tenancy: 'bucket',
  prefixTemplate: 'userdata/{slug}-publisher/',
  objectAcls: 'disabled',
  bucketNamespace: 'global',
  keepEmptyBucketAfterTeardownDays: 0,
  rotationDays: 90,
  previousKeyOverlapDays: 7,
} as const;

/** Secrets Manager's longest rotation interval (RotationRules.AutomaticallyAfterDays). */
export const MAX_ROTATION_DAYS = 1000;

/** The longest a teardown keeps an emptied bucket: its keeping execution must end within Step Functions' one-year limit. */
export const MAX_KEEP_EMPTY_BUCKET_DAYS = 364;

/** The stand-in for a tenant's slug in `prefixTemplate`. */
export const SLUG_PLACEHOLDER = '{slug}';
/** The longest slug (an orgId is at most 40 characters): a template must give a valid prefix for it. */
const LONGEST_SLUG = 'x'.repeat(40);

/** The prefix of the shared bucket that `template` gives the tenant `slug`. */
export function tenantPrefixOf(template: string, slug: string): string {
  // A function, so nothing in a slug is read as a replacement pattern ("$&").
  return template.replace(SLUG_PLACEHOLDER, () => slug);
}

/**
 * Why `template` cannot be a stage's prefix template, or undefined when it can: exactly one
 * `{slug}`, inside one path segment (a slug has no `/`, so no tenant's prefix can then be
 * another's or contain it), and every prefix it gives a valid tenant prefix.
 */
export function prefixTemplateViolation(template: string): string | undefined {
  const uses = template.split(SLUG_PLACEHOLDER).length - 1;
  if (uses !== 1) return `must contain ${SLUG_PLACEHOLDER} exactly once (it has ${uses})`;
  for (const slug of ['a', LONGEST_SLUG]) {
    const violation = tenantPrefixViolation(tenantPrefixOf(template, slug));
    if (violation) return `gives the prefix ${JSON.stringify(tenantPrefixOf(template, slug))}, which ${violation}`;
  }
  return undefined;
}

export function requireEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`Missing required environment variable ${name}`);
  return value;
}

function optionalEnv(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

function check(name: string, value: string, ok: boolean, rule: string): string {
  if (!ok) throw new ConfigError(`Environment variable ${name}=${JSON.stringify(value)} is invalid: ${rule}`);
  return value;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

export function loadConfig(env: Env = process.env): Config {
  const region = requireEnv(env, 'AWS_REGION');
  check('AWS_REGION', region, REGION.test(region), 'must be an AWS region such as eu-west-1');
  const accountId = requireEnv(env, 'ACCOUNT_ID');
  check('ACCOUNT_ID', accountId, /^\d{12}$/.test(accountId), 'must be a 12-digit AWS account id');

  const bucketPrefix = optionalEnv(env, 'BUCKET_PREFIX', CONFIG_DEFAULTS.bucketPrefix);
  // Short enough that `<prefix>-<40-char slug>-<8-char hash>` stays within S3's 63 characters.
  check(
    'BUCKET_PREFIX',
    bucketPrefix,
    /^[a-z0-9][a-z0-9-]{1,11}[a-z0-9]$/.test(bucketPrefix) && !/^(xn--|sthree-|amzn-s3-demo-)/.test(bucketPrefix),
    '3–13 characters of a–z, 0–9 and "-", not starting or ending with "-" nor with "xn--"/"sthree-"',
  );
  const userPrefix = optionalEnv(env, 'USER_PREFIX', CONFIG_DEFAULTS.userPrefix);
  check('USER_PREFIX', userPrefix, /^[A-Za-z0-9+=,.@_-]{1,24}$/.test(userPrefix), 'must be 1–24 IAM user-name characters');

  const allowedRegions = optionalEnv(env, 'ALLOWED_REGIONS', region)
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const r of allowedRegions) check('ALLOWED_REGIONS', r, REGION.test(r), 'must be a comma-separated list of AWS regions');

  const tlsOnly = optionalEnv(env, 'BUCKET_POLICY_TLS_ONLY', 'true');
  check('BUCKET_POLICY_TLS_ONLY', tlsOnly, tlsOnly === 'true' || tlsOnly === 'false', 'must be "true" or "false"');

  const verifyBoundary = optionalEnv(env, 'VERIFY_ADOPTED_USER_BOUNDARY', 'true');
  check('VERIFY_ADOPTED_USER_BOUNDARY', verifyBoundary, verifyBoundary === 'true' || verifyBoundary === 'false', 'must be "true" or "false"');

  const verifyBucketTags = optionalEnv(env, 'VERIFY_CREATE_BUCKET_TAGS', 'false');
  check('VERIFY_CREATE_BUCKET_TAGS', verifyBucketTags, verifyBucketTags === 'true' || verifyBucketTags === 'false', 'must be "true" or "false"');

  const maxCandidates = optionalEnv(env, 'MAX_BUCKET_CANDIDATES', String(CONFIG_DEFAULTS.maxBucketCandidates));
  check('MAX_BUCKET_CANDIDATES', maxCandidates, /^([1-9]|1\d|20)$/.test(maxCandidates), 'must be a whole number from 1 to 20');

  const retentionDays = optionalEnv(env, 'DEFAULT_RETENTION_DAYS', String(CONFIG_DEFAULTS.defaultRetentionDays));
  check('DEFAULT_RETENTION_DAYS', retentionDays, /^\d{1,3}$/.test(retentionDays) && Number(retentionDays) <= MAX_RETENTION_DAYS, `must be a whole number of days from 0 to ${MAX_RETENTION_DAYS}`);

  const tenantLedgerTable = requireEnv(env, 'TENANT_LEDGER_TABLE');
  check('TENANT_LEDGER_TABLE', tenantLedgerTable, /^[A-Za-z0-9_.-]{3,255}$/.test(tenantLedgerTable), 'must be a DynamoDB table name (3–255 letters, digits, "_", "-", ".")');
  const tenantQuota = optionalEnv(env, 'TENANT_QUOTA', String(CONFIG_DEFAULTS.tenantQuota));
  check('TENANT_QUOTA', tenantQuota, /^[1-9]\d{0,5}$/.test(tenantQuota), 'must be a whole number from 1 to 999999');

  const tenantBoundaryArn = requireEnv(env, 'TENANT_BOUNDARY_ARN');
  check('TENANT_BOUNDARY_ARN', tenantBoundaryArn, /^arn:aws[a-z-]*:iam::\d{12}:policy\/.+$/.test(tenantBoundaryArn), 'must be an IAM managed policy ARN');

  const stage = optionalEnv(env, 'STAGE', 'dev');
  check('STAGE', stage, STAGE_NAME.test(stage), 'must be 1–64 letters, digits and "-" (a stage name)');

  const tenancy = optionalEnv(env, 'TENANCY', CONFIG_DEFAULTS.tenancy);
  check('TENANCY', tenancy, (TENANCIES as readonly string[]).includes(tenancy), 'must be "bucket" or "prefix"');
  const sharedBucket = env.SHARED_BUCKET?.trim() || undefined;
  if (tenancy === 'prefix' && sharedBucket === undefined) throw new ConfigError('Missing required environment variable SHARED_BUCKET (TENANCY=prefix keeps every new tenant in the shared bucket)');
  if (sharedBucket !== undefined) {
    const violation = bucketNameViolation(sharedBucket);
    check('SHARED_BUCKET', sharedBucket, violation === undefined, `${violation ?? ''} (an S3 bucket name)`);
    // A tenant bucket's name starts with it: the shared bucket must never be mistaken for one (or its roles' rights reach it).
    check('SHARED_BUCKET', sharedBucket, !sharedBucket.startsWith(`${bucketPrefix}-`), `must not start with "${bucketPrefix}-", the prefix of every tenant bucket's name`);
  }
  const prefixTemplate = optionalEnv(env, 'PREFIX_TEMPLATE', CONFIG_DEFAULTS.prefixTemplate);
  const templateViolation = prefixTemplateViolation(prefixTemplate);
  check('PREFIX_TEMPLATE', prefixTemplate, templateViolation === undefined, templateViolation ?? '');
  const tenantPrefixPolicyArn = env.TENANT_PREFIX_POLICY_ARN?.trim() || undefined;
  if (sharedBucket !== undefined && tenantPrefixPolicyArn === undefined) throw new ConfigError('Missing required environment variable TENANT_PREFIX_POLICY_ARN (the managed policy of the prefix tenants of SHARED_BUCKET)');
  if (tenantPrefixPolicyArn !== undefined) check('TENANT_PREFIX_POLICY_ARN', tenantPrefixPolicyArn, /^arn:aws[a-z-]*:iam::\d{12}:policy\/.+$/.test(tenantPrefixPolicyArn), 'must be an IAM managed policy ARN');
  const bucketNamespace = optionalEnv(env, 'BUCKET_NAMESPACE', CONFIG_DEFAULTS.bucketNamespace);
  check('BUCKET_NAMESPACE', bucketNamespace, bucketNamespace === 'global' || bucketNamespace === 'account-regional', 'must be "global" or "account-regional"');
  const keepDays = optionalEnv(env, 'KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS', String(CONFIG_DEFAULTS.keepEmptyBucketAfterTeardownDays));
  check('KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS', keepDays, /^\d{1,3}$/.test(keepDays) && Number(keepDays) <= MAX_KEEP_EMPTY_BUCKET_DAYS, `must be a whole number of days from 0 to ${MAX_KEEP_EMPTY_BUCKET_DAYS}`);
  const continueAt = optionalEnv(env, 'TEARDOWN_CONTINUE_AT_EVENTS', String(DEFAULT_CONTINUE_AT_EVENTS));
  check('TEARDOWN_CONTINUE_AT_EVENTS', continueAt, /^[1-9]\d{0,4}$/.test(continueAt) && Number(continueAt) <= DEFAULT_CONTINUE_AT_EVENTS, `must be a whole number from 1 to ${DEFAULT_CONTINUE_AT_EVENTS}`);
  const rotationDays = optionalEnv(env, 'ROTATION_DAYS', String(CONFIG_DEFAULTS.rotationDays));
  check('ROTATION_DAYS', rotationDays, /^\d{1,4}$/.test(rotationDays) && Number(rotationDays) <= MAX_ROTATION_DAYS, `must be a whole number of days from 0 (no scheduled rotation) to ${MAX_ROTATION_DAYS}`);
  const overlapDays = optionalEnv(env, 'PREVIOUS_KEY_OVERLAP_DAYS', String(CONFIG_DEFAULTS.previousKeyOverlapDays));
  check('PREVIOUS_KEY_OVERLAP_DAYS', overlapDays, /^\d{1,4}$/.test(overlapDays) && Number(overlapDays) <= MAX_ROTATION_DAYS, `must be a whole number of days from 0 to ${MAX_ROTATION_DAYS}`);
  if (Number(rotationDays) > 0 && Number(overlapDays) >= Number(rotationDays)) {
    throw new ConfigError(
      `Environment variable PREVIOUS_KEY_OVERLAP_DAYS=${JSON.stringify(overlapDays)} is invalid: must be less than ROTATION_DAYS (${rotationDays}), since the next rotation deletes the previous key`,
    );
  }
  const objectAcls = optionalEnv(env, 'OBJECT_ACLS', CONFIG_DEFAULTS.objectAcls);
  check('OBJECT_ACLS', objectAcls, objectAcls === 'enabled' || objectAcls === 'disabled', 'must be "enabled" or "disabled"');

  return {
    stage,
    accountId,
    region,
    allowedRegions,
    bucketPrefix,
    userPrefix,
    tenantBoundaryArn,
    eventBusName: optionalEnv(env, 'EVENT_BUS_NAME', 'default'),
    eventSource: optionalEnv(env, 'EVENT_SOURCE', 'tenant-provisioner'),
    bucketPolicyTlsOnly: tlsOnly === 'true',
    maxBucketCandidates: Number(maxCandidates),
    verifyAdoptedUserBoundary: verifyBoundary === 'true',
    verifyCreateBucketTags: verifyBucketTags === 'true',
    defaultRetentionDays: Number(retentionDays),
    tenantLedgerTable,
    tenantQuota: Number(tenantQuota),
    tenancy: tenancy as Tenancy,
    ...(sharedBucket === undefined ? {} : { sharedBucket }),
    prefixTemplate,
    ...(tenantPrefixPolicyArn === undefined ? {} : { tenantPrefixPolicyArn }),
    objectAcls: objectAcls === 'enabled',
    bucketNamespace: bucketNamespace as BucketNamespace,
    keepEmptyBucketAfterTeardownDays: Number(keepDays),
    teardownContinueAtEvents: Number(continueAt),
    rotationDays: Number(rotationDays),
    previousKeyOverlapDays: Number(overlapDays),
  };
}
