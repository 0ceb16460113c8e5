import {
  AttachUserPolicyCommand,
  CreateUserCommand,
  EntityAlreadyExistsException,
  GetUserCommand,
  LimitExceededException,
  type IAMClient,
  type User,
} from '@aws-sdk/client-iam';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from './lib/config';
import { TenantQuotaExceededError, TenantUserConflictError } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { assertRunMayAct } from './lib/ledger/run-guard';
import type { LedgerStore } from './lib/ledger/store';
import { describeOwner, isCreatedBy, isTenantResource, TAG_TENANT_BUCKET, TAG_TENANT_PREFIX, tagsToRecord, tenantTags } from './lib/tags';
import type { TenantBucket, TenantRef, TenantUser } from './lib/types';

export interface CreateTenantUserInput {
  tenant: TenantRef;
  /** The tenant's bucket, recorded on the user as its `TenantBucket` tag. */
  bucket: Pick<TenantBucket, 'name'>;
}

function tenantUser(user: User | undefined, tenant: TenantRef, created: boolean): TenantUser {
  if (!user?.Arn || !user.UserId) throw new Error(`IAM returned no ARN or id for user ${tenant.userName}`);
  return { userName: user.UserName ?? tenant.userName, arn: user.Arn, userId: user.UserId, created };
}

/** Why an existing user with the tenant's name may not be adopted, or undefined when it may. */
function adoptionConflict(user: User, tenant: TenantRef, bucket: string, boundaryArn: string, config: Config): string | undefined {
  if (!isTenantResource(user.Tags, tenant.orgId)) return describeOwner(user.Tags);
  if (user.Path !== tenant.userPath) return `its path is ${JSON.stringify(user.Path)}, not ${JSON.stringify(tenant.userPath)}`;
  // The boundary lets the user reach only the bucket this tag names, and the tag cannot be changed after creation.
  const tagged = tagsToRecord(user.Tags)[TAG_TENANT_BUCKET];
  if (tagged !== bucket) return `its ${TAG_TENANT_BUCKET} tag is ${JSON.stringify(tagged ?? null)}, not ${JSON.stringify(bucket)}`;
  // A prefix tenant reaches only the prefix this tag names (the prefix policy and the boundary read it).
  const taggedPrefix = tagsToRecord(user.Tags)[TAG_TENANT_PREFIX];
  if (taggedPrefix !== tenant.prefix) return `its ${TAG_TENANT_PREFIX} tag is ${JSON.stringify(taggedPrefix ?? null)}, not ${JSON.stringify(tenant.prefix ?? null)}`;
  if (!config.verifyAdoptedUserBoundary) return undefined;
  const boundary = user.PermissionsBoundary?.PermissionsBoundaryArn;
  if (!boundary) return `it has no permissions boundary (expected ${boundaryArn})`;
  if (boundary !== boundaryArn) return `its permissions boundary is ${boundary}, not ${boundaryArn}`;
  return undefined;
}

/**
 * Attaches the stage's one prefix-tenant policy to a prefix tenant's user: its only identity
 * policy, granting the prefix its TenantPrefix tag names. IAM answers success for a policy already
 * attached, so a retry (or an adopted user) just repeats the call.
 */
async function attachPrefixPolicy(iam: IAMClient, tenant: TenantRef, config: Config): Promise<void> {
  if (config.tenantPrefixPolicyArn === undefined) {
    throw new Error(`Cannot give prefix tenant ${tenant.slug} its access: TENANT_PREFIX_POLICY_ARN is not set for this stage (it must stay set while the stage has prefix tenants)`);
  }
  await iam.send(new AttachUserPolicyCommand({ UserName: tenant.userName, PolicyArn: config.tenantPrefixPolicyArn }));
}

/**
 * Creates the tenant's IAM user under `tenant.userPath`, with the tenant permissions boundary
 * and the tenant tags, and no identity policy (its access comes from the bucket policy). A prefix
 * tenant's user is also tagged with its prefix (TenantPrefix) and gets the stage's prefix-tenant
 * managed policy attached: one policy for every prefix tenant, reading the prefix from the tag.
 *
 * Safe to repeat: when the user already exists it is adopted, never modified, if it is this
 * org's, under the tenant path, tagged with this bucket and capped by the boundary; `created` tells whether this
 * execution made it (a retry of our own CreateUser counts as created by this execution).
 * @throws TenantUserConflictError when a user with that name exists but may not be adopted.
 * @throws TenantQuotaExceededError when the account's IAM user quota is reached.
 */
export async function createTenantUser(
  input: CreateTenantUserInput,
  deps: { iam: IAMClient; ledger: Pick<LedgerStore, 'get'>; config: Config; logger?: Logger },
): Promise<TenantUser> {
  const { tenant } = input;
  await assertRunMayAct(deps.ledger, tenant, 'create the tenant user');
  const boundaryArn = deps.config.tenantBoundaryArn;
  let alreadyExists: EntityAlreadyExistsException;
  try {
    const { User } = await deps.iam.send(
      new CreateUserCommand({
        UserName: tenant.userName,
        Path: tenant.userPath,
        PermissionsBoundary: boundaryArn,
        // TenantBucket: teardown finds a fallback-named bucket from the user as well as the secret.
        Tags: [
          ...tenantTags(tenant.orgId, tenant.provisionedBy),
          { Key: TAG_TENANT_BUCKET, Value: input.bucket.name },
          ...(tenant.prefix === undefined ? [] : [{ Key: TAG_TENANT_PREFIX, Value: tenant.prefix }]),
        ],
      }),
    );
    deps.logger?.info('Created tenant user', { userName: tenant.userName, orgId: tenant.orgId });
    if (tenant.tenancy === 'prefix') await attachPrefixPolicy(deps.iam, tenant, deps.config);
    return tenantUser(User, tenant, true);
  } catch (err) {
    if (err instanceof LimitExceededException) {
      throw new TenantQuotaExceededError(`Cannot create IAM user ${tenant.userName}: the account's IAM user quota is reached`, { cause: err });
    }
    if (!(err instanceof EntityAlreadyExistsException)) throw err;
    alreadyExists = err;
  }

  const { User: existing } = await deps.iam.send(new GetUserCommand({ UserName: tenant.userName }));
  if (!existing) throw new Error(`IAM returned no user for ${tenant.userName}`);
  const conflict = adoptionConflict(existing, tenant, input.bucket.name, boundaryArn, deps.config);
  if (conflict) {
    throw new TenantUserConflictError(
      `IAM user ${tenant.userName} already exists and cannot be adopted for OrgId ${JSON.stringify(tenant.orgId)}: ${conflict}`,
      { cause: alreadyExists },
    );
  }
  const created = isCreatedBy(existing.Tags, tenant.orgId, tenant.provisionedBy);
  deps.logger?.info('Adopted existing tenant user', { userName: tenant.userName, orgId: tenant.orgId, created });
  // A crash between CreateUser and the attachment leaves a user without it: a retry adopts and attaches.
  if (tenant.tenancy === 'prefix') await attachPrefixPolicy(deps.iam, tenant, deps.config);
  return tenantUser(existing, tenant, created);
}

/** The Lambda handler over its dependencies: functions/lambda/create-tenant-user.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function createTenantUserHandler(deps: Parameters<typeof createTenantUser>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: CreateTenantUserInput) => createTenantUser(event, deps));
}
