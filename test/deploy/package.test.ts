/**
 * Packages the real stack with `osls package`, offline: no AWS credentials and, where the
 * machine allows it, no network at all (a fresh network namespace with only loopback).
 * Then checks the generated CloudFormation template and runs cfn-lint on it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CONFIG_DEFAULTS } from '../../functions/lib/config';
import { LIVE_TENANTS_METRIC, METRICS_NAMESPACE } from '../../functions/lib/metrics';
import { tenantBoundaryPolicy } from '../../functions/lib/policies';
import { packageStack, PROJECT_ROOT, unpackFunction, type CloudFormationTemplate, type Resource } from '../../scripts/package-stack';
import { roleRuleViolations, unacceptedCfnLintFindings } from './template-checks';

const root = PROJECT_ROOT;
let outDir = '';
let template: CloudFormationTemplate;
let packagedOffline = false;

beforeAll(() => {
  ({ outDir, template, packagedOffline } = packageStack({ stage: 'dev', region: 'us-east-1' }));
}, 600_000);

const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const STEP_FUNCTIONS = [
  'ValidateOrg', 'CreateTenantBucket', 'ConfigureTenantBucket', 'CreateTenantUser', 'ClaimTenantPrefix', 'IssueTenantCredentials', 'ApplyTenantBucketPolicy', 'ProveTenantCredentials',
  'PublishOrgProvisioned', 'PublishOrgProvisioningFailed', 'DeleteTenantCredentials', 'DeleteTenantUser', 'DeleteTenantBucket',
  'PrepareTeardown', 'RevokeTenantAccess', 'PublishOrgDeprovisioned', 'RecordTenantState', 'RestoreTenantAccess', 'PublishOrgRestored',
];
/** Functions EventBridge invokes: the router (OrgCreated/OrgDeleted) and the execution status tracker. */
const EVENT_FUNCTIONS = ['RouteOrgEvent', 'TrackExecutionStatus'];
/** The tenant key rotation: Secrets Manager's rotation function, and the daily retirement of previous keys (a schedule). */
const ROTATION_FUNCTIONS = ['RotateTenantCredentials', 'RetirePreviousTenantKeys'];
const ALL_FUNCTIONS = [...STEP_FUNCTIONS, ...EVENT_FUNCTIONS, ...ROTATION_FUNCTIONS];
const MACHINES: [string, string][] = [
  ['ProvisionTenantStateMachine', 'provision-tenant.asl.json'],
  ['TeardownTenantStateMachine', 'teardown-tenant.asl.json'],
  ['RestoreTenantStateMachine', 'restore-tenant.asl.json'],
];
const ruleTargeting = (functionLogicalId: string) => {
  const found = ofType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.Targets).includes(`"${functionLogicalId}"`));
  if (!found) throw new Error(`No rule targets ${functionLogicalId}`);
  return found[1];
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const statementsOf = (roleId: string): Statement[] =>
  ((template.Resources[roleId]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action);

describe('osls package', () => {
  it('ran without AWS credentials (and, on Linux, without a network)', () => {
    expect(existsSync(join(outDir, 'cloudformation-template-update-stack.json'))).toBe(true);
    if (process.platform === 'linux' && process.getuid?.() === 0) expect(packagedOffline).toBe(true);
  });

  it('bundles one function per step plus the router, the status tracker and the two of key rotation, each in its own zip, on nodejs22.x', () => {
    const functions = ofType('AWS::Lambda::Function');
    const names = functions.map(([id]) => id.replace(/LambdaFunction$/, '')).sort();
    expect(names).toEqual([...ALL_FUNCTIONS].sort());
    expect(names).toHaveLength(23);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      expect(existsSync(join(outDir, key.split('/').pop() as string))).toBe(true);
    }
    const roles = functions.map(([, fn]) => JSON.stringify(fn.Properties.Role));
    expect(new Set(roles).size).toBe(functions.length);
  });

  it.each(MACHINES)('declares %s from %s with a substitution for every placeholder', (logicalId, file) => {
    const machine = template.Resources[logicalId];
    expect(machine?.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(machine?.Properties.StateMachineType).toBe('STANDARD');
    const asl = JSON.parse(readFileSync(join(root, 'statemachine', file), 'utf8'));
    expect(machine?.Properties.Definition).toEqual(asl);
    const placeholders = [...JSON.stringify(asl).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    const substitutions = machine?.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
    expect(Object.keys(substitutions).sort()).toEqual([...new Set(placeholders)].sort());
    for (const [placeholder, value] of Object.entries(substitutions)) {
      const target = value['Fn::GetAtt'][0];
      expect(template.Resources[target]?.Type).toBe('AWS::Lambda::Function');
      expect(`${target.replace(/LambdaFunction$/, '')}FunctionArn`).toBe(placeholder);
    }
  });

  it.each(MACHINES)('lets %s invoke exactly the functions its definition names, and nothing of the ledger', (logicalId) => {
    const machine = template.Resources[logicalId] as Resource;
    const roleId = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const invoke = statementsOf(roleId).filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    const invoked = ([] as { 'Fn::GetAtt': [string, string] }[]).concat(invoke[0]?.Resource as never).map((r) => r['Fn::GetAtt'][0]);
    const substituted = Object.values(machine.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>).map((v) => v['Fn::GetAtt'][0]);
    expect(invoked.sort()).toEqual([...new Set(substituted)].sort());
    expect(substituted).toContain('RecordTenantStateLambdaFunction');
    expect(statementsOf(roleId).flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  it('routes OrgCreated and OrgDeleted from EventBridge to the router', () => {
    // With the tracker's status changes and the daily retirement of previous keys.
    expect(ofType('AWS::Events::Rule')).toHaveLength(3);
    const rule = ruleTargeting('RouteOrgEventLambdaFunction');
    expect(rule.Properties.EventPattern).toEqual({ 'detail-type': ['OrgCreated', 'OrgDeleted'], source: ['pos.signup'] });
  });

  it("sends the tracker the default bus's status changes of this stack's three state machines: ended unsuccessfully, or redriven", () => {
    const rule = ruleTargeting('TrackExecutionStatusLambdaFunction');
    // Step Functions puts its events on the default bus only.
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.Name).toBe('tenant-provisioner-dev-execution-status');
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        stateMachineArn: [{ Ref: 'ProvisionTenantStateMachine' }, { Ref: 'TeardownTenantStateMachine' }, { Ref: 'RestoreTenantStateMachine' }],
        $or: [{ status: ['FAILED', 'TIMED_OUT', 'ABORTED'] }, { status: ['RUNNING'], redriveCount: [{ numeric: ['>', 0] }] }],
      },
    });
    const tracker = template.Resources.TrackExecutionStatusLambdaFunction as Resource;
    expect((tracker.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      PROVISION_STATE_MACHINE_ARN: { Ref: 'ProvisionTenantStateMachine' },
      TEARDOWN_STATE_MACHINE_ARN: { Ref: 'TeardownTenantStateMachine' },
      RESTORE_STATE_MACHINE_ARN: { Ref: 'RestoreTenantStateMachine' },
    });
  });

  it('keeps the tenant ledger in a table that outlives the stack, resists deletion, can be restored and is encrypted', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id)).toEqual(['TenantLedgerTable']);
    const table = template.Resources.TenantLedgerTable as Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string };
    expect({ DeletionPolicy: table.DeletionPolicy, UpdateReplacePolicy: table.UpdateReplacePolicy }).toEqual({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(table.Properties).toEqual({
      TableName: 'tenant-provisioner-dev-tenants',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'slug', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'slug', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
    });
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect({ id, table: variables.TENANT_LEDGER_TABLE, quota: variables.TENANT_QUOTA }).toEqual({ id, table: { Ref: 'TenantLedgerTable' }, quota: '5000' });
    }
    expect(template.Outputs).toMatchObject({
      TenantLedgerTableName: { Value: { Ref: 'TenantLedgerTable' } },
      TenantLedgerTableArn: { Value: { 'Fn::GetAtt': ['TenantLedgerTable', 'Arn'] } },
      RestoreTenantStateMachineArn: { Value: { Ref: 'RestoreTenantStateMachine' } },
    });
  });

  it("grants the ledger's item operations, on the ledger table only, to exactly the router, the ledger steps and the tracker, and a read to the steps that change the tenant", () => {
    const granted = ofType('AWS::IAM::Role').flatMap(([role]) =>
      statementsOf(role)
        .filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))
        .map((s) => ({ role, actions: actionsOf(s).sort(), resource: s.Resource, condition: s.Condition })),
    );
    const table = { resource: { 'Fn::GetAtt': ['TenantLedgerTable', 'Arn'] }, condition: undefined };
    const writes = { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ...table };
    const reads = { actions: ['dynamodb:GetItem'], ...table };
    expect(granted.sort((x, y) => x.role.localeCompare(y.role))).toEqual([
      { role: 'ApplyTenantBucketPolicyRole', ...reads },
      { role: 'ClaimTenantPrefixRole', ...reads },
      { role: 'ConfigureTenantBucketRole', ...reads },
      { role: 'CreateTenantBucketRole', ...reads },
      { role: 'CreateTenantUserRole', ...reads },
      { role: 'IssueTenantCredentialsRole', ...reads },
      { role: 'RecordTenantStateRole', ...writes },
      { role: 'RestoreTenantAccessRole', ...reads },
      { role: 'RevokeTenantAccessRole', ...reads },
      { role: 'RouteOrgEventRole', ...writes },
      { role: 'TrackExecutionStatusRole', ...writes },
    ]);
  });

  it('lets only the tracker describe executions (of its own three state machines)', () => {
    const describers = Object.keys(template.Resources).filter((id) => id.endsWith('Role') && statementsOf(id).some((s) => actionsOf(s).includes('states:DescribeExecution')));
    expect(describers).toEqual(['TrackExecutionStatusRole']);
    const described = statementsOf('TrackExecutionStatusRole').filter((s) => actionsOf(s).includes('states:DescribeExecution')).flatMap((s) => ([] as unknown[]).concat(s.Resource));
    expect(JSON.stringify(described)).toBe(
      JSON.stringify(['provision-tenant', 'teardown-tenant', 'restore-tenant'].map((m) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:tenant-provisioner-dev-${m}:*` }))),
    );
  });

  it('no longer lets the router describe executions, and lets it stop only runs of its own three state machines', () => {
    const router = statementsOf('RouteOrgEventRole');
    expect(router.flatMap(actionsOf)).not.toContain('states:DescribeExecution');
    const stops = router.filter((s) => actionsOf(s).includes('states:StopExecution')).flatMap((s) => ([] as unknown[]).concat(s.Resource));
    expect(JSON.stringify(stops)).toBe(
      JSON.stringify(['provision-tenant', 'restore-tenant', 'teardown-tenant'].map((m) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:tenant-provisioner-dev-${m}:*` }))),
    );
  });

  it("gives a stage that names no settings the code's defaults (CONFIG_DEFAULTS, the one source)", () => {
    const router = template.Resources.RouteOrgEventLambdaFunction?.Properties.Environment as { Variables: Record<string, unknown> };
    expect(router.Variables).toMatchObject({
      BUCKET_PREFIX: CONFIG_DEFAULTS.bucketPrefix,
      USER_PREFIX: CONFIG_DEFAULTS.userPrefix,
      MAX_BUCKET_CANDIDATES: String(CONFIG_DEFAULTS.maxBucketCandidates),
      DEFAULT_RETENTION_DAYS: String(CONFIG_DEFAULTS.defaultRetentionDays),
      TENANT_QUOTA: String(CONFIG_DEFAULTS.tenantQuota),
      TENANCY: CONFIG_DEFAULTS.tenancy,
      PREFIX_TEMPLATE: CONFIG_DEFAULTS.prefixTemplate,
      OBJECT_ACLS: CONFIG_DEFAULTS.objectAcls,
      BUCKET_NAMESPACE: CONFIG_DEFAULTS.bucketNamespace,
      KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS: String(CONFIG_DEFAULTS.keepEmptyBucketAfterTeardownDays),
      ROTATION_DAYS: String(CONFIG_DEFAULTS.rotationDays),
      PREVIOUS_KEY_OVERLAP_DAYS: String(CONFIG_DEFAULTS.previousKeyOverlapDays),
      // Empty is none (functions/lib/config.ts): a bucket tenancy stage has no shared bucket and no prefix policy.
      SHARED_BUCKET: '',
      TENANT_PREFIX_POLICY_ARN: '',
    });
  });

  it('has nothing of prefix tenancy but its settings: no shared bucket, no prefix policy, no role statement for them', () => {
    expect(ofType('AWS::S3::Bucket').map(([id]) => id)).toEqual(['ServerlessDeploymentBucket']);
    expect(ofType('AWS::IAM::ManagedPolicy').map(([id]) => id)).toEqual(['TenantBoundaryPolicy']);
    expect(template.Outputs).not.toHaveProperty('SharedBucketName');
    expect(template.Outputs).not.toHaveProperty('TenantPrefixPolicyArn');
    const text = JSON.stringify(template.Resources);
    for (const absent of ['SharedBucket', 'TenantPrefixPolicy', '"TenantPrefix"', 'iam:AttachUserPolicy', 's3:GetObjectTagging']) expect({ absent, found: text.includes(absent) }).toEqual({ absent, found: false });
    // The claim step never runs for a bucket tenant; its role keeps only its logs and the run guard's read.
    expect(statementsOf('ClaimTenantPrefixRole').flatMap(actionsOf)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'dynamodb:GetItem']);
  });

  it("creates the tenants' permissions boundary from the same code that tests evaluate, its policy variables kept for IAM", () => {
    // deploy/policies.js hands `${aws:PrincipalTag/…}` to CloudFormation as Fn::Sub `${!…}`, which it writes out literally.
    const literal = JSON.parse(JSON.stringify(template.Resources.TenantBoundaryPolicy?.Properties.PolicyDocument), (_key, value: unknown) =>
      value && typeof value === 'object' && 'Fn::Sub' in value
        ? String((value as { 'Fn::Sub': string })['Fn::Sub']).replaceAll('${!', '${').replace('${AWS::Partition}', 'aws')
        : value,
    );
    expect(literal).toEqual(tenantBoundaryPolicy());
  });

  it('grants no write action on a "*" resource (but resource-less log delivery and X-Ray), only CreateUser with the boundary, and no policy to a user', () => {
    expect(roleRuleViolations(template, 'dev')).toEqual([]);
  });

  it.each(MACHINES.map(([id]) => id))('%s logs errors without execution data and is traced', (id) => {
    expect(template.Resources[id]?.Properties).toMatchObject({
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('alarms on failed and timed-out executions of each state machine, router and tracker errors and all four dead-letter queues', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify([a.Properties.MetricName, a.Properties.Dimensions, a.Properties.AlarmActions]));
    const has = (metric: string, target: string) => alarms.some((a) => a.includes(`"${metric}"`) && a.includes(target));
    for (const [machine] of MACHINES) {
      expect(has('ExecutionsFailed', machine)).toBe(true);
      expect(has('ExecutionsTimedOut', machine)).toBe(true);
    }
    expect(has('Errors', 'RouteOrgEventLambdaFunction')).toBe(true);
    expect(has('Errors', 'TrackExecutionStatusLambdaFunction')).toBe(true);
    expect(has('Errors', 'RotateTenantCredentialsLambdaFunction')).toBe(true);
    expect(has('Errors', 'RetirePreviousTenantKeysLambdaFunction')).toBe(true);
    for (const queue of ['RouterFailedEventsQueue', 'RuleDeadLetterQueue', 'TrackerFailedEventsQueue', 'StatusEventDeadLetterQueue']) {
      expect(has('ApproximateNumberOfMessagesVisible', queue)).toBe(true);
    }
    expect(alarms.every((a) => a.includes('AlarmTopic'))).toBe(true);
  });

  it('alarms when the live tenants metric the functions publish reaches 80 % of tenantQuota', () => {
    const alarm = template.Resources.LiveTenantsNearQuotaAlarm as Resource;
    expect(alarm.Properties).toMatchObject({
      // What functions/lib/metrics.ts publishes: Powertools Metrics adds `service` to its `stage` dimension.
      Namespace: METRICS_NAMESPACE,
      MetricName: LIVE_TENANTS_METRIC,
      Dimensions: [
        { Name: 'service', Value: 'tenant-provisioner' },
        { Name: 'stage', Value: 'dev' },
      ],
      Statistic: 'Maximum',
      Threshold: 4000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      // Published only when the count changes: no data is no news, and keeps the last state.
      TreatMissingData: 'ignore',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
  });

  it.each([
    ['RouteOrgEventLambdaFunction', 'RuleDeadLetterQueue', 'RouterFailedEventsQueue'],
    ['TrackExecutionStatusLambdaFunction', 'StatusEventDeadLetterQueue', 'TrackerFailedEventsQueue'],
  ])('retries delivery to %s, dead-letters what it cannot deliver (%s) and keeps what it failed on (%s)', (fn, deadLetters, failed) => {
    expect((ruleTargeting(fn).Properties.Targets as object[])[0]).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetters, 'Arn'] } },
    });
    const invokeConfig = ofType('AWS::Lambda::EventInvokeConfig').find(([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: fn }));
    expect(invokeConfig?.[1].Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failed, 'Arn'] } } } });
    for (const queue of [deadLetters, failed]) expect(template.Resources[queue]?.Properties).toMatchObject({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
  });

  it('lets EventBridge dead-letter into each queue only from its own rule', () => {
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, p]) => p.Properties);
    const rule = ruleTargeting('TrackExecutionStatusLambdaFunction');
    const statusPolicy = policies.find((p) => JSON.stringify(p.Queues) === JSON.stringify([{ Ref: 'StatusEventDeadLetterQueue' }]));
    expect(JSON.stringify(statusPolicy?.PolicyDocument)).toContain(`"ArnEquals":{"aws:SourceArn":{"Fn::Sub":"arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${String(rule.Properties.Name)}"}}`);
    // The org events rule is named by its own ARN, right on the default bus and on any other (test/deploy/event-bus.test.ts).
    const orgPolicy = policies.find((p) => JSON.stringify(p.Queues) === JSON.stringify([{ Ref: 'RuleDeadLetterQueue' }]));
    expect(JSON.stringify(orgPolicy?.PolicyDocument)).toContain('"ArnEquals":{"aws:SourceArn":{"Fn::GetAtt":["OrgEventsRule","Arn"]}}');
    expect(policies).toHaveLength(2);
  });

  it('encrypts the alarm topic with a key of its own that CloudWatch may use for this stage\'s alarms only', () => {
    const { Resources } = template;
    expect(JSON.stringify(template)).not.toContain('alias/aws/sns');
    expect(Resources.AlarmTopic?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['AlarmTopicKey', 'Arn'] });
    expect(Resources.AlarmTopicKey?.Properties).toMatchObject({ EnableKeyRotation: true });
    type KeyStatement = { Sid: string; Principal: unknown; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> };
    const statements = (Resources.AlarmTopicKey?.Properties.KeyPolicy as { Statement: KeyStatement[] }).Statement;
    const cloudwatch = statements.filter((st) => JSON.stringify(st.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }));
    expect(cloudwatch).toHaveLength(1);
    expect(cloudwatch[0]?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(cloudwatch[0]?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    // Every alarm is named so that the key's (and the topic policy's) aws:SourceArn condition covers it.
    const pattern = String((cloudwatch[0]?.Condition?.ArnLike?.['aws:SourceArn'] as { 'Fn::Sub': string })['Fn::Sub']);
    expect(pattern).toBe('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:tenant-provisioner-dev-*');
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(10);
    for (const [id, alarm] of alarms) expect(alarm.Properties.AlarmName).toBe(`tenant-provisioner-dev-${id}`);
    const topicPolicy = ofType('AWS::SNS::TopicPolicy').map(([, p]) => p.Properties);
    expect(topicPolicy).toHaveLength(1);
    expect(JSON.stringify(topicPolicy[0]?.PolicyDocument)).toContain(JSON.stringify(cloudwatch[0]?.Condition));
  });

  it('keeps the deployment bucket private and versioned, whatever the account\'s own Block Public Access', () => {
    expect(template.Resources.ServerlessDeploymentBucket?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
    });
  });

  it('keeps every log for a bounded time', () => {
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups.length).toBe(ALL_FUNCTIONS.length + MACHINES.length);
    for (const [, group] of logGroups) expect(group.Properties.RetentionInDays).toEqual(expect.any(Number));
  });

  it('bundles only the environment link of the SDK credential chain, where Lambda puts the role\'s credentials', () => {
    const work = mkdtempSync(join(tmpdir(), 'bundles-'));
    // Each bundle's source map lists every module bundled.
    const sourcesOf = (id: string, fn: Resource) => {
      const { bundle } = unpackFunction(outDir, fn, join(work, id));
      return (JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] }).sources;
    };
    try {
      for (const [id, fn] of ofType('AWS::Lambda::Function')) {
        const sources = sourcesOf(id, fn);
        const sdk = sources.some((s) => s.includes('@aws-sdk/client-'));
        expect({ id, sdk, chain: sources.filter((s) => /credential-provider-(node|ini|sso|process|web-identity|http|login)\/|nested-clients\/|credential-provider-imds\//.test(s)) }).toEqual({ id, sdk, chain: [] });
        if (sdk) expect(sources.filter((s) => s.endsWith('functions/lib/lambda-credentials.ts') || s.includes('credential-provider-env/'))).not.toHaveLength(0);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('maps the stack of an error leaving a packaged handler to the TypeScript sources, without --enable-source-maps', () => {
    const [, fn] = ofType('AWS::Lambda::Function').find(([id]) => id === 'ValidateOrgLambdaFunction') as [string, Resource];
    expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain('enable-source-maps');
    const taskRoot = mkdtempSync(join(tmpdir(), 'task-root-'));
    try {
      const { bundle, exportName } = unpackFunction(outDir, fn, taskRoot);
      const script = [
        `const handler = require(${JSON.stringify(bundle)})[${JSON.stringify(exportName)}];`,
        "const context = { functionName: 'validateOrg', awsRequestId: 'r1', getRemainingTimeInMillis: () => 30000 };",
        "handler({ event: { orgId: '-not-an-org-' }, execution: { name: 'org-x', startTime: '2026-01-01T00:00:00Z' } }, context)",
        '  .then(() => process.stdout.write("{}"), (err) => process.stdout.write(JSON.stringify({ name: err.name, stack: err.stack })));',
      ].join('\n');
      const env = { PATH: process.env.PATH, LAMBDA_TASK_ROOT: taskRoot, AWS_REGION: 'us-east-1', ACCOUNT_ID: '123456789012', TENANT_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/tenant-boundary', TENANT_LEDGER_TABLE: 'tenant-provisioner-dev-tenants', POWERTOOLS_LOG_LEVEL: 'CRITICAL' };
      const thrown = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env, cwd: taskRoot })) as { name?: string; stack?: string };
      expect(thrown.name).toBe('InvalidOrgIdError');
      expect(thrown.stack).toMatch(/functions\/lib\/events\.ts:\d+:\d+/);
      expect(thrown.stack).not.toContain(`${basename(bundle)}:`);
    } finally {
      rmSync(taskRoot, { recursive: true, force: true });
    }
  });

  it('passes cfn-lint, but for the findings accepted on review (template-checks.ts)', () => {
    expect(unacceptedCfnLintFindings(join(outDir, 'cloudformation-template-update-stack.json'))).toEqual({ errors: '', unaccepted: [] });
  });
});

describe('tenant key rotation in the packaged stack', () => {
  const environmentOf = (logicalId: string) => (template.Resources[logicalId]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const ROTATION_FUNCTION = { 'Fn::GetAtt': ['RotateTenantCredentialsLambdaFunction', 'Arn'] };

  it("gives the rotation function Secrets Manager's step its time: the key proof alone may try for 30 s", () => {
    expect(template.Resources.RotateTenantCredentialsLambdaFunction?.Properties).toMatchObject({
      Handler: 'functions/lambda/rotate-tenant-credentials.handler',
      Timeout: 90,
      Role: { 'Fn::GetAtt': ['RotateTenantCredentialsRole', 'Arn'] },
      Description: expect.stringContaining('Rotates'),
    });
  });

  it("lets Secrets Manager invoke the rotation function for this account's secrets of this stage's tenant prefix only, and nothing else invoke it", () => {
    const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify(ROTATION_FUNCTION));
    expect(permissions.map(([, p]) => p.Properties)).toEqual([
      {
        FunctionName: ROTATION_FUNCTION,
        Action: 'lambda:InvokeFunction',
        Principal: 'secretsmanager.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:fusion-rms/dev/*' },
      },
    ]);
    // Nothing else: no rule or queue targets it, and no state machine runs it.
    expect(ofType('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.Targets).includes('RotateTenantCredentialsLambdaFunction'))).toEqual([]);
    expect(ofType('AWS::StepFunctions::StateMachine').filter(([, m]) => JSON.stringify(m.Properties).includes('RotateTenantCredentials'))).toEqual([]);
  });

  it('runs the retirement of previous keys once a day, with time to walk every tenant secret', () => {
    const rule = ruleTargeting('RetirePreviousTenantKeysLambdaFunction');
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED', Name: 'tenant-provisioner-dev-retire-previous-tenant-keys' });
    expect(rule.Properties.EventPattern).toBeUndefined();
    expect(template.Resources.RetirePreviousTenantKeysLambdaFunction?.Properties).toMatchObject({
      Handler: 'functions/lambda/retire-previous-tenant-keys.handler',
      Timeout: 300,
      Role: { 'Fn::GetAtt': ['RetirePreviousTenantKeysRole', 'Arn'] },
    });
    const invokers = ofType('AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes('RetirePreviousTenantKeysLambdaFunction'));
    expect(invokers.map(([, p]) => [p.Properties.Principal, p.Properties.SourceArn])).toEqual([['events.amazonaws.com', { 'Fn::GetAtt': [Object.keys(template.Resources).find((id) => template.Resources[id] === rule), 'Arn'] }]]);
  });

  it('names the rotation function to exactly the two steps that schedule rotation (ProveTenantCredentials, RestoreTenantAccess)', () => {
    const naming = ofType('AWS::Lambda::Function')
      .filter(([id]) => environmentOf(id).ROTATION_FUNCTION_ARN !== undefined)
      .map(([id]) => [id, environmentOf(id).ROTATION_FUNCTION_ARN]);
    expect(naming.sort()).toEqual([
      ['ProveTenantCredentialsLambdaFunction', ROTATION_FUNCTION],
      ['RestoreTenantAccessLambdaFunction', ROTATION_FUNCTION],
    ]);
  });

  it('lets only those two steps schedule rotation, with this stage\'s rotation function and never at once, and invoke it; the teardown\'s revoke cancels it', () => {
    const granting = (action: string) =>
      ofType('AWS::IAM::Role')
        .filter(([role]) => statementsOf(role).some((s) => actionsOf(s).includes(action)))
        .map(([role]) => role)
        .sort();
    expect(granting('secretsmanager:RotateSecret')).toEqual(['ProveTenantCredentialsRole', 'RestoreTenantAccessRole']);
    expect(granting('secretsmanager:CancelRotateSecret')).toEqual(['RevokeTenantAccessRole']);
    expect(granting('lambda:InvokeFunction').filter((role) => !role.endsWith('StateMachineRole'))).toEqual(['ProveTenantCredentialsRole', 'RestoreTenantAccessRole']);
    for (const role of ['ProveTenantCredentialsRole', 'RestoreTenantAccessRole']) {
      const rotate = statementsOf(role).find((s) => actionsOf(s).includes('secretsmanager:RotateSecret'));
      expect(rotate?.Condition).toEqual({
        StringEquals: { 'aws:ResourceTag/ManagedBy': 'tenant-provisioner' },
        ArnEquals: { 'secretsmanager:RotationLambdaARN': ROTATION_FUNCTION },
        Bool: { 'secretsmanager:RotateImmediately': 'false' },
      });
      const invoke = statementsOf(role).find((s) => actionsOf(s).includes('lambda:InvokeFunction'));
      expect(invoke?.Resource).toEqual(ROTATION_FUNCTION);
    }
  });

  it('gives the two rotation functions roles of their own with no ledger, state machine or bucket right', () => {
    for (const role of ['RotateTenantCredentialsRole', 'RetirePreviousTenantKeysRole']) {
      const actions = statementsOf(role).flatMap(actionsOf);
      expect({ role, beyond: actions.filter((a) => !/^(logs|secretsmanager|iam|events):/.test(a)) }).toEqual({ role, beyond: [] });
    }
    expect(statementsOf('RetirePreviousTenantKeysRole').flatMap(actionsOf).filter((a) => a.startsWith('events:'))).toEqual([]);
  });
});
