/**
 * The sample tenant the unit tests share: org `Acme-Bistro-42` in us-east-1, provisioned by
 * the first generation's provisioning (`acme-bistro-42-g1-provision`, with a fixed run id), with
 * the names ValidateOrg derives under the test config (test/setup-env.ts). Each call returns a
 * fresh object, so a test may change its copy.
 */
import { GetItemCommand, type GetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import { CONFIG_DEFAULTS, loadConfig, tenantPrefixOf, tenantUserPath, type Config } from '../../functions/lib/config';
import { executionArnOf, stateMachineArn, type ExecutionPort, type ExecutionStatus, type Workflow } from '../../functions/lib/executions';
import type { LifecycleDeps } from '../../functions/lib/ledger/apply';
import { unrecordedItem, type TenantLedgerItem, type TenantState } from '../../functions/lib/ledger/model';
import type { LedgerStore } from '../../functions/lib/ledger/store';
import { lifecycleExecutionName, runIdOf, tenantNames } from '../../functions/lib/naming';
import type { ProvisionedTenant } from '../../functions/lib/publish';
import type { TenantBucket, TenantRef, TenantUser } from '../../functions/lib/types';

const config = loadConfig();

export const SAMPLE_ORG_ID = 'Acme-Bistro-42';
export const SAMPLE_STARTED_AT = '2026-11-23T09:00:00.000Z';
/** The random part of the sample run ids (naming.ts `runIdOf`). */
export const SAMPLE_RUN_SUFFIX = '0123456789ab';

/** The run id the ledger gives execution `name` in these tests: `runIdOf` with a fixed random part. */
export function sampleRunId(name: string): string {
  return runIdOf(name, () => SAMPLE_RUN_SUFFIX);
}

/** The sample org's first provisioning: `acme-bistro-42-g1-provision`. */
export const SAMPLE_EXECUTION_NAME = lifecycleExecutionName('acme-bistro-42', 1, 'provision');
/** Its run id, the `ProvisionedBy` of everything it creates. */
export const SAMPLE_RUN_ID = sampleRunId(SAMPLE_EXECUTION_NAME);

/** The sample tenant; names (and the execution's) follow `orgId` and `region` when they are overridden. */
export function sampleTenant(overrides: Partial<TenantRef> = {}): TenantRef {
  const orgId = overrides.orgId ?? SAMPLE_ORG_ID;
  const region = overrides.region ?? 'us-east-1';
  const names = tenantNames(orgId, region, config);
  const generation = overrides.generation ?? 1;
  const executionName = overrides.executionName ?? lifecycleExecutionName(names.slug, generation, 'provision');
  return {
    orgId,
    orgName: 'Acme Bistro',
    region,
    provisionedBy: sampleRunId(executionName),
    executionName,
    generation,
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
  return { userName, arn: `arn:aws:iam::${config.accountId}:user${tenantUserPath(config.stage)}${userName}`, userId: 'AIDAEXAMPLE', created: true, ...overrides };
}

/** Everything the sample tenant's provisioning knows when it succeeds (what RecordTenantActive takes); the same facts as events/samples/org-provisioned.json. */
export function sampleProvisioned(overrides: Partial<ProvisionedTenant> = {}): ProvisionedTenant {
  const tenant = overrides.tenant ?? sampleTenant();
  const bucket = overrides.bucket ?? sampleBucket();
  return {
    tenant,
    bucket,
    bucketConfig: { publicPrefix: 'pub/', publicBaseUrl: `https://${bucket.name}.s3.${bucket.region}.amazonaws.com/pub/` },
    user: sampleUser({ userName: tenant.userName }),
    credentials: {
      secretArn: `arn:aws:secretsmanager:${tenant.region}:${config.accountId}:secret:${tenant.secretName}-AbCdEf`,
      secretName: tenant.secretName,
      accessKeyId: 'AKIAEXAMPLEKEYID0001',
      issued: true,
    },
    ...overrides,
  };
}

/** The shared bucket of the test stage with prefix tenancy (prefixTenancyConfig): not a tenant bucket's name (it does not start with `fusion-rms-`). */
export const SAMPLE_SHARED_BUCKET = 'tenant-provisioner-test-shared';
/** The managed policy every prefix tenant's user of the test stage gets (TENANT_PREFIX_POLICY_ARN). */
export const SAMPLE_TENANT_PREFIX_POLICY_ARN = 'arn:aws:iam::123456789012:policy/tenant-provisioner-test-tenant-prefix';
/** The sample org's prefix of the shared bucket under the default PREFIX_TEMPLATE. */
export const SAMPLE_TENANT_PREFIX = tenantPrefixOf(CONFIG_DEFAULTS.prefixTemplate, 'acme-bistro-42');

/** The test stage (test/setup-env.ts) with TENANCY=prefix, its shared bucket and prefix policy; `env` overrides or adds variables (PREFIX_TEMPLATE, OBJECT_ACLS, …). */
export function prefixTenancyConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, TENANCY: 'prefix', SHARED_BUCKET: SAMPLE_SHARED_BUCKET, TENANT_PREFIX_POLICY_ARN: SAMPLE_TENANT_PREFIX_POLICY_ARN, ...env });
}

/**
 * The sample tenant as a prefix tenant of the shared bucket, as ValidateOrg derives it from the
 * ledger's input: in the stage's region (us-east-1), its `bucket` the shared bucket and its
 * `prefix` the default template's; names follow `orgId` and the execution's as sampleTenant's do.
 */
export function samplePrefixTenant(overrides: Partial<TenantRef> = {}): TenantRef {
  const tenant = sampleTenant({ region: config.region, ...overrides });
  return { tenancy: 'prefix', bucket: SAMPLE_SHARED_BUCKET, prefix: tenantPrefixOf(CONFIG_DEFAULTS.prefixTemplate, tenant.slug), ...tenant };
}

/** What ClaimTenantPrefix answers for the sample prefix tenant: its prefix claimed empty (`created`), objects not public. */
export function samplePrefixBucket(overrides: Partial<TenantBucket> = {}): TenantBucket {
  const name = overrides.name ?? SAMPLE_SHARED_BUCKET;
  const prefix = overrides.prefix ?? SAMPLE_TENANT_PREFIX;
  return { name, region: 'us-east-1', arn: `arn:aws:s3:::${name}`, created: true, prefix, baseUrl: `https://${name}.s3.us-east-1.amazonaws.com/${prefix}`, publicObjects: false, ...overrides };
}

/** Everything the sample prefix tenant's provisioning knows when it succeeds: its bucketConfig is what the provision state machine's DescribeTenantPrefix passes on (the prefix and its base URL). */
export function samplePrefixProvisioned(overrides: Partial<ProvisionedTenant> = {}): ProvisionedTenant {
  const tenant = overrides.tenant ?? samplePrefixTenant();
  const bucket = overrides.bucket ?? samplePrefixBucket();
  return sampleProvisioned({ tenant, bucket, bucketConfig: { publicPrefix: bucket.prefix ?? '', publicBaseUrl: bucket.baseUrl ?? '' }, ...overrides });
}

/** The three tenant tags as AWS returns them, for the sample org unless told otherwise. */
export function orgTags(provisionedBy: string, orgId = SAMPLE_ORG_ID): { Key: string; Value: string }[] {
  return [
    { Key: 'OrgId', Value: orgId },
    { Key: 'ManagedBy', Value: 'tenant-provisioner' },
    { Key: 'ProvisionedBy', Value: provisionedBy },
  ];
}

/** orgIds that must be rejected before any AWS call, labelled for test titles. */
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

/** What a ledger decision asked of Step Functions, in order, and the status each execution has now. */
export interface RecordedExecutions {
  port: Pick<ExecutionPort, 'start' | 'stop' | 'executionArn' | 'describe'>;
  started: { workflow: Workflow; name: string; input: Record<string, unknown> }[];
  stopped: { workflow: Workflow; name: string; error: string; cause: string }[];
  /** What DescribeExecution answers: RUNNING once started, ABORTED once stopped; a test sets the rest (no entry: no such execution). */
  statuses: Map<string, ExecutionStatus>;
}

/** An execution port that records the starts and stops the ledger's decisions make and runs nothing; ARNs are the test stage's (test/setup-env.ts). */
export function recordingExecutions(): RecordedExecutions {
  const started: RecordedExecutions['started'] = [];
  const stopped: RecordedExecutions['stopped'] = [];
  const statuses = new Map<string, ExecutionStatus>();
  const executionArn = (workflow: Workflow, name: string) => executionArnOf(stateMachineArn(config.region, config.accountId, config.stage, workflow), name);
  return {
    started,
    stopped,
    statuses,
    port: {
      executionArn,
      start: async (workflow, name, input) => {
        started.push({ workflow, name, input: input as Record<string, unknown> });
        if (!statuses.has(name)) statuses.set(name, 'RUNNING');
        return { started: true, executionArn: executionArn(workflow, name) };
      },
      stop: async (workflow, name, reason) => {
        stopped.push({ workflow, name, ...reason });
        if (statuses.get(name) === 'RUNNING') statuses.set(name, 'ABORTED');
      },
      describe: async (workflow, name) => {
        const status = statuses.get(name);
        const input = started.find((start) => start.name === name)?.input ?? {};
        return status && { workflow, name, executionArn: executionArn(workflow, name), status, input, startDate: new Date(SAMPLE_STARTED_AT) };
      },
    },
  };
}

/**
 * What applyLifecycle needs, over `ledger`: a recording execution port, run ids with the sample
 * random part (sampleRunId), a clock the test sets (`clock.now`), quiet logger.
 */
export function sampleLifecycleDeps(ledger: LedgerStore, clock: { now: Date } = { now: new Date(SAMPLE_STARTED_AT) }): LifecycleDeps & { executions: RecordedExecutions['port']; recorded: RecordedExecutions } {
  const recorded = recordingExecutions();
  return {
    ledger,
    config,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    now: () => clock.now,
    newRunId: sampleRunId,
    executions: recorded.port,
    eventBridge: new EventBridgeClient({}),
    recorded,
  };
}

/**
 * A tenant ledger whose item names `runId` as the tenant's current `workflow` run, in `state`
 * (by default the run's first: provisioning, revoking, restoring): what the run guard of each
 * step that changes the tenant reads (lib/ledger/run-guard.ts).
 */
export function ledgerOnRun(runId: string, workflow: Workflow = 'provision', state: TenantState = ({ provision: 'provisioning', teardown: 'revoking', restore: 'restoring' } as const)[workflow]): Pick<LedgerStore, 'get'> & { item: TenantLedgerItem } {
  const item = unrecordedItem(SAMPLE_ORG_ID, 'us-east-1', config, SAMPLE_STARTED_AT);
  const name = runId.split('.')[0] ?? runId;
  const run = { workflow, name, arn: executionArnOf(stateMachineArn('us-east-1', config.accountId, config.stage, workflow), name), runId, startedAt: SAMPLE_STARTED_AT, input: {} };
  Object.assign(item, { generation: 1, state, version: 1, [workflow]: run });
  return { item, get: async () => item };
}

/** Answers the ledger's GetItem on a mocked DynamoDB client with `item`, as the table would (tests of a Lambda entry, whose clients the mocks answer). */
export function answerLedgerGet(dynamodb: { on: (command: typeof GetItemCommand) => { resolves: (output: GetItemCommandOutput) => unknown } }, item: TenantLedgerItem): void {
  dynamodb.on(GetItemCommand).resolves({ Item: marshall(item, { removeUndefinedValues: true }), $metadata: {} });
}
