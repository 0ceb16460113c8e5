/**
 * The world the security suite's requests are made in: the packaged stack resolved for one
 * deployment (account 123456789012, us-east-1, stage dev), its function and state machine
 * roles, the tenant boundary, the tenant ledger table, and two tenants, A and B, with the
 * names ValidateOrg derives and the bucket policies ApplyTenantBucketPolicy puts.
 */
import { lifecycleExecutionName, runIdOf, tenantNames } from '../../../functions/lib/naming';
import { tenantBucketPolicy } from '../../../functions/lib/policies';
import { TAG_TENANT_BUCKET, tagsToRecord, tenantTags } from '../../../functions/lib/tags';
import type { PackagedStack } from '../../../scripts/package-stack';
import type { Deployment } from './intrinsics';
import { StackPolicies, type FunctionRole, type NamedPolicy, type PolicyDocument, type RolePolicies } from './stack-policies';

export const SERVICE = 'tenant-provisioner';
export const STAGE = 'dev';
export const OTHER_STAGE = 'prod';
export const DEPLOYMENT: Deployment = { accountId: '123456789012', region: 'us-east-1', partition: 'aws', stackName: `${SERVICE}-${STAGE}` };

export interface Tenant {
  orgId: string;
  slug: string;
  bucket: string;
  bucketArn: string;
  object: (key: string) => string;
  userArn: string;
  /** The user's path and name (`/tenants/dev/`, `rms_acme-bistro-42`). */
  userPath: string;
  userName: string;
  secretName: string;
  secretArn: string;
  /** The tags CreateTenantUser puts on the user: tenantTags(…) and TenantBucket. */
  userTags: Record<string, string>;
  /** The tags IssueTenantCredentials puts on the secret: tenantTags(…). */
  secretTags: Record<string, string>;
}

export interface World {
  stack: StackPolicies;
  packaged: PackagedStack;
  /** The environment every function gets (BUCKET_PREFIX, TENANT_BOUNDARY_ARN, …), resolved. */
  env: Record<string, string>;
  boundaryArn: string;
  boundary: NamedPolicy;
  a: Tenant;
  b: Tenant;
  /** Bucket name → its bucket policy, for the tenants' buckets. */
  bucketPolicies: Map<string, PolicyDocument>;
  /** Function key (serverless.yml) → the function and its role. */
  functions: Map<string, FunctionRole>;
  machines: { logicalId: string; arn: string; role: RolePolicies }[];
  arn: {
    eventBus: string;
    provisionStateMachine: string;
    teardownStateMachine: string;
    restoreStateMachine: string;
    /** The table the functions' TENANT_LEDGER_TABLE names. */
    ledgerTable: string;
    routerFailedEventsQueue: string;
    trackerFailedEventsQueue: string;
  };
}

export const arnOf = {
  bucket: (name: string) => `arn:aws:s3:::${name}`,
  user: (path: string, name: string) => `arn:aws:iam::${DEPLOYMENT.accountId}:user${path}${name}`,
  group: (path: string, name: string) => `arn:aws:iam::${DEPLOYMENT.accountId}:group${path}${name}`,
  secret: (name: string) => `arn:aws:secretsmanager:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:secret:${name}-AbCdEf`,
  logStream: (functionName: string) =>
    `arn:aws:logs:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:log-group:/aws/lambda/${functionName}:log-stream:2026/11/23/[$LATEST]0123456789abcdef`,
  execution: (stateMachineArn: string, name: string) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
  table: (name: string) => `arn:aws:dynamodb:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:table/${name}`,
};

/** The same resource in the other stage: `tenant-provisioner-dev-…` → `tenant-provisioner-prod-…`. */
export function inOtherStage(arn: string): string {
  const other = arn.replace(`${SERVICE}-${STAGE}-`, `${SERVICE}-${OTHER_STAGE}-`);
  if (other === arn) throw new Error(`${arn} has no stage in its name`);
  return other;
}

function tenant(orgId: string, env: Record<string, string>): Tenant {
  const names = tenantNames(orgId, DEPLOYMENT.region, {
    bucketPrefix: env.BUCKET_PREFIX ?? '',
    userPrefix: env.USER_PREFIX ?? '',
    accountId: DEPLOYMENT.accountId,
    maxBucketCandidates: Number(env.MAX_BUCKET_CANDIDATES),
    stage: STAGE,
  });
  const bucket = names.bucketCandidates[0] ?? '';
  // As the first generation's provisioning run tags them (its run id: execution name + random part).
  const tags = tenantTags(orgId, runIdOf(lifecycleExecutionName(names.slug, 1, 'provision'), () => '0123456789ab'));
  return {
    orgId,
    slug: names.slug,
    bucket,
    bucketArn: arnOf.bucket(bucket),
    object: (key) => `${arnOf.bucket(bucket)}/${key}`,
    userArn: arnOf.user(names.userPath, names.userName),
    userPath: names.userPath,
    userName: names.userName,
    secretName: names.secretName,
    secretArn: arnOf.secret(names.secretName),
    userTags: tagsToRecord([...tags, { Key: TAG_TENANT_BUCKET, Value: bucket }]),
    secretTags: tagsToRecord(tags),
  };
}

export function buildWorld(packaged: PackagedStack): World {
  const { template } = packaged;
  const stack = new StackPolicies(template, DEPLOYMENT);
  const functions = new Map(stack.functions().map((fn) => [fn.key, fn]));
  const router = functions.get('routeOrgEvent');
  if (!router) throw new Error('The stack has no routeOrgEvent function');
  // The router's environment is the provider's (TENANT_LEDGER_TABLE among them) plus the state machine ARNs.
  const variables = (template.Resources[router.logicalId]?.Properties.Environment as { Variables: unknown }).Variables;
  const env = stack.resolver.resolve(variables as never) as Record<string, string>;

  const boundaryArn = env.TENANT_BOUNDARY_ARN ?? '';
  const boundaryId = Object.keys(template.Resources).find((id) => template.Resources[id]?.Type === 'AWS::IAM::ManagedPolicy' && stack.resolver.ref(id) === boundaryArn);
  if (!boundaryId) throw new Error(`TENANT_BOUNDARY_ARN ${boundaryArn} is not a managed policy of the template`);
  const boundaryDocument = stack.resolver.resolve(template.Resources[boundaryId]?.Properties.PolicyDocument as never) as unknown as PolicyDocument;

  const a = tenant('acme-bistro-42', env);
  const b = tenant('globex-7', env);
  // As ApplyTenantBucketPolicy puts them: the stage's TLS setting, the tenant's user as principal.
  const tlsOnly = env.BUCKET_POLICY_TLS_ONLY === 'true';
  const bucketPolicies = new Map<string, PolicyDocument>(
    [a, b].map((t) => [t.bucket, tenantBucketPolicy({ bucket: t.bucket, userArn: t.userArn, tlsOnly }) as unknown as PolicyDocument]),
  );

  /** Where Lambda sends function `key`'s failed asynchronous events (its on-failure destination). */
  const onFailureOf = (key: string): string => {
    const logicalId = functions.get(key)?.logicalId;
    const config = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && (r.Properties.FunctionName as { Ref?: string } | undefined)?.Ref === logicalId,
    );
    const destination = (config?.Properties.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
    return destination === undefined ? '' : (stack.resolver.resolve(destination as never) as string);
  };

  return {
    stack,
    packaged,
    env,
    boundaryArn,
    boundary: { name: boundaryId, policy: boundaryDocument },
    a,
    b,
    bucketPolicies,
    functions,
    machines: stack.stateMachines(),
    arn: {
      eventBus: `arn:aws:events:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:event-bus/${env.EVENT_BUS_NAME}`,
      provisionStateMachine: env.PROVISION_STATE_MACHINE_ARN ?? '',
      teardownStateMachine: env.TEARDOWN_STATE_MACHINE_ARN ?? '',
      restoreStateMachine: env.RESTORE_STATE_MACHINE_ARN ?? '',
      ledgerTable: env.TENANT_LEDGER_TABLE ? arnOf.table(env.TENANT_LEDGER_TABLE) : '',
      routerFailedEventsQueue: onFailureOf('routeOrgEvent'),
      trackerFailedEventsQueue: onFailureOf('trackExecutionStatus'),
    },
  };
}

/**
 * The resource policy AWS evaluates for a request on `resource`: the bucket policy of a
 * tenant's bucket, the trust policy of a role of the stack, or none.
 */
export function resourcePolicyOf(resource: string, w: World): PolicyDocument | undefined {
  const bucket = /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1];
  if (bucket) return w.bucketPolicies.get(bucket);
  const role = [...w.functions.values(), ...w.machines].map((x) => x.role).find((r) => r.arn === resource);
  if (role) return w.stack.resolver.resolve(w.stack.template.Resources[role.logicalId]?.Properties.AssumeRolePolicyDocument as never) as unknown as PolicyDocument;
  return undefined;
}
