/**
 * The sample tenant the unit tests share: org `Acme-Bistro-42` in us-east-1, provisioned by
 * its first execution, with the names ValidateOrg derives under the test config
 * (test/setup-env.ts). Each call returns a fresh object, so a test may change its copy.
 */
import { loadConfig, TENANT_USER_PATH } from '../../functions/lib/config';
import { executionName, tenantNames } from '../../functions/lib/naming';
import type { TenantBucket, TenantRef, TenantUser } from '../../functions/lib/types';

const config = loadConfig();

export const SAMPLE_ORG_ID = 'Acme-Bistro-42';
export const SAMPLE_STARTED_AT = '2026-11-23T09:00:00.000Z';

/** The sample tenant; names follow `orgId` and `region` when they are overridden. */
export function sampleTenant(overrides: Partial<TenantRef> = {}): TenantRef {
  const orgId = overrides.orgId ?? SAMPLE_ORG_ID;
  const region = overrides.region ?? 'us-east-1';
  const names = tenantNames(orgId, region, config);
  return {
    orgId,
    orgName: 'Acme Bistro',
    region,
    provisionedBy: executionName(names.slug),
    startedAt: SAMPLE_STARTED_AT,
    ...names,
    ...overrides,
  };
}

/** The sample tenant's bucket (its first name candidate), created by this execution. */
export function sampleBucket(overrides: Partial<TenantBucket> = {}): TenantBucket {
  const name = overrides.name ?? sampleTenant().bucketCandidates[0] ?? '';
  return { name, region: 'us-east-1', arn: `arn:aws:s3:::${name}`, created: true, ...overrides };
}

/** The sample tenant's IAM user, created by this execution. */
export function sampleUser(overrides: Partial<TenantUser> = {}): TenantUser {
  const userName = overrides.userName ?? sampleTenant().userName;
  return { userName, arn: `arn:aws:iam::${config.accountId}:user${TENANT_USER_PATH}${userName}`, userId: 'AIDAEXAMPLE', created: true, ...overrides };
}

/** The three tenant tags as AWS returns them, for the sample org unless told otherwise. */
export function orgTags(provisionedBy: string, orgId = SAMPLE_ORG_ID): { Key: string; Value: string }[] {
  return [
    { Key: 'OrgId', Value: orgId },
    { Key: 'ManagedBy', Value: 'tenant-provisioner' },
    { Key: 'ProvisionedBy', Value: provisionedBy },
  ];
}

/** orgIds that must be rejected before any AWS call (issue 2), labelled for test titles. */
export const INVALID_ORG_IDS: [label: string, orgId: unknown][] = [
  ['empty', ''],
  ['too long', 'a'.repeat(41)],
  ['a wildcard', '*'],
  ['a path', '../x'],
  ['spaces', 'acme bistro'],
  ['unicode', 'café'],
  ['an underscore', 'a_b'],
  ['a leading dash', '-acme'],
  ['a trailing dash', 'acme-'],
  ['a number', 42],
];
