import { createHash, randomBytes } from 'node:crypto';
import { tenantSecretPrefix, tenantUserPath, type Config } from './config';
import type { Workflow } from './executions';
import { bucketNameViolation } from './s3-names';

/** Names every resource of one tenant, derived deterministically from its orgId. */
export interface TenantNames {
  slug: string;
  /** Bucket names to try in order: `<prefix>-<slug>`, then hashed fallbacks. */
  bucketCandidates: string[];
  userName: string;
  userPath: string;
  secretName: string;
}

export function tenantSlug(orgId: string): string {
  return orgId.toLowerCase();
}

/** The K-th fallback's suffix: 8 hex characters of SHA-256 over (account, region, slug, K). */
function fallbackHash(accountId: string, region: string, slug: string, k: number): string {
  return createHash('sha256').update(`${accountId}\n${region}\n${slug}\n${k}`).digest('hex').slice(0, 8);
}

/**
 * Bucket name candidates in the order they are tried. The same inputs always give the same
 * sequence, so a retry or redrive walks it again from the start. Names that break S3's rules
 * (e.g. a slug ending in `-s3alias`) are left out.
 *
 * In the account regional namespace (`bucketNamespace: account-regional`) there is one name,
 * `<prefix>-<slug>-<accountId>-<region>-an`, which only this account can ever create: no
 * fallback is needed, and nobody can take the name after a teardown deletes the bucket.
 */
export function bucketCandidates(slug: string, region: string, config: Pick<Config, 'bucketPrefix' | 'accountId' | 'maxBucketCandidates'> & Partial<Pick<Config, 'bucketNamespace'>>): string[] {
  if (config.bucketNamespace === 'account-regional') return [accountRegionalBucketName(slug, region, config).name];
  const names = [`${config.bucketPrefix}-${slug}`];
  for (let k = 1; k <= config.maxBucketCandidates; k++) {
    names.push(`${config.bucketPrefix}-${slug}-${fallbackHash(config.accountId, region, slug, k)}`);
  }
  return names.filter((name) => bucketNameViolation(name) === undefined).slice(0, config.maxBucketCandidates);
}

/** S3's longest bucket name. */
const BUCKET_NAME_MAX = 63;

/**
 * A tenant's bucket name in the account regional namespace: `<prefix>-<slug>-<accountId>-<region>-an`
 * (S3's format for it). When that is longer than 63 characters the slug is cut and given 8 hex
 * characters of its SHA-256, so the name stays the same for the same tenant and different for
 * another; `shortened` says so, for the log.
 */
export function accountRegionalBucketName(slug: string, region: string, config: Pick<Config, 'bucketPrefix' | 'accountId'>): { name: string; shortened?: string } {
  const suffix = `-${config.accountId}-${region}-an`;
  const room = BUCKET_NAME_MAX - config.bucketPrefix.length - 1 - suffix.length;
  if (slug.length <= room) return { name: `${config.bucketPrefix}-${slug}${suffix}` };
  const hash = createHash('sha256').update(slug).digest('hex').slice(0, 8);
  const cut = slug.slice(0, Math.max(room - hash.length - 1, 1)).replace(/-+$/, '');
  const name = `${config.bucketPrefix}-${cut}-${hash}${suffix}`;
  return { name, shortened: `the slug ${JSON.stringify(slug)} is cut to ${JSON.stringify(`${cut}-${hash}`)} so that ${name} fits S3's 63 characters` };
}

/** All names of a tenant. `orgId` must already be valid (see `events.ts`). */
/** What a tenant's names are derived from besides its orgId and region. */
export type NamingConfig = Pick<Config, 'bucketPrefix' | 'userPrefix' | 'accountId' | 'maxBucketCandidates' | 'stage'> & Partial<Pick<Config, 'bucketNamespace'>>;

export function tenantNames(orgId: string, region: string, config: NamingConfig): TenantNames {
  const slug = tenantSlug(orgId);
  return {
    slug,
    bucketCandidates: bucketCandidates(slug, region, config),
    userName: `${config.userPrefix}${slug}`,
    userPath: tenantUserPath(config.stage),
    secretName: `${tenantSecretPrefix(config)}${slug}/credentials`,
  };
}

/**
 * The name of a tenant's execution: `<slug>-g<generation>-<workflow>`, and `-<attempt>` from the
 * second teardown or restore of one generation on (`acme-g2-provision`, `acme-g2-teardown`,
 * `acme-g2-restore`, `acme-g2-teardown-2`). The generation and the attempt come from the tenant
 * ledger, which never hands out the same pair twice, so a name is never reused — Step Functions
 * would accept a closed execution's name again 90 days after it ended.
 */
export function lifecycleExecutionName(slug: string, generation: number, workflow: Workflow, attempt = 1): string {
  return `${slug}-g${generation}-${workflow}${attempt > 1 ? `-${attempt}` : ''}`;
}

/**
 * The name of part `part` (2, 3, …) of a teardown that continued as new to stay under Step
 * Functions' history limit: the teardown's own name and `-part<N>` (`acme-g2-teardown-part2`).
 */
export function continuedExecutionName(teardownName: string, part: number): string {
  return `${teardownName}-part${part}`;
}

/** The parts of a name made by {@link lifecycleExecutionName} (or {@link continuedExecutionName}: `part` from 2), or undefined for any other name. */
export function parseLifecycleExecutionName(name: string): { slug: string; generation: number; workflow: Workflow; attempt: number; part: number } | undefined {
  const match = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)-g([1-9]\d*)-(provision|teardown|restore)(?:-([2-9]|[1-9]\d+))?(?:-part([2-9]|[1-9]\d+))?$/.exec(name);
  if (!match || (match[5] && match[3] !== 'teardown')) return undefined;
  return { slug: match[1] as string, generation: Number(match[2]), workflow: match[3] as Workflow, attempt: match[4] ? Number(match[4]) : 1, part: match[5] ? Number(match[5]) : 1 };
}

/**
 * A run id, unique for all time: the execution name and 12 random hex digits. It is the
 * `ProvisionedBy` tag of what a provisioning creates (rollback deletes only what carries its
 * own), and what a workflow's ledger steps present, so a run the ledger has moved past cannot
 * change the tenant's record. The random part keeps it unique even if the ledger were ever
 * recreated and generations counted from 1 again.
 */
export function runIdOf(executionName: string, random: () => string = () => randomBytes(6).toString('hex')): string {
  return `${executionName}.${random()}`;
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function publicBaseUrl(bucket: string, region: string): string {
  return `https://${bucket}.s3.${region}.amazonaws.com/pub/`;
}
