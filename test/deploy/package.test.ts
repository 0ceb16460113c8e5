/**
 * Packages the real stack with `osls package`, offline: no AWS credentials and, where the
 * machine allows it, no network at all (a fresh network namespace with only loopback).
 * Then checks the generated CloudFormation template and runs cfn-lint on it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { tenantBoundaryPolicy } from '../../functions/lib/policies';
import { packageStack, PROJECT_ROOT, unpackFunction, type CloudFormationTemplate, type Resource } from '../support/packaged-template';

const root = PROJECT_ROOT;
let outDir = '';
let template: CloudFormationTemplate;
let packagedOffline = false;

beforeAll(() => {
  ({ outDir, template, packagedOffline } = packageStack({ stage: 'dev', region: 'us-east-1' }));
}, 600_000);

const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const STEP_FUNCTIONS = [
  'ValidateOrg', 'CreateTenantBucket', 'ConfigureTenantBucket', 'CreateTenantUser', 'IssueTenantCredentials', 'ApplyTenantBucketPolicy',
  'PublishOrgProvisioned', 'PublishOrgProvisioningFailed', 'DeleteTenantCredentials', 'DeleteTenantUser', 'DeleteTenantBucket',
  'PrepareTeardown', 'RevokeTenantAccess', 'PublishOrgDeprovisioned',
];

describe('osls package', () => {
  it('ran without AWS credentials (and, on Linux, without a network)', () => {
    expect(existsSync(join(outDir, 'cloudformation-template-update-stack.json'))).toBe(true);
    if (process.platform === 'linux' && process.getuid?.() === 0) expect(packagedOffline).toBe(true);
  });

  it('bundles one function per step plus the router, each in its own zip, on nodejs22.x', () => {
    const functions = ofType('AWS::Lambda::Function');
    const names = functions.map(([id]) => id.replace(/LambdaFunction$/, '')).sort();
    expect(names).toEqual([...STEP_FUNCTIONS, 'RouteOrgEvent'].sort());
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      expect(existsSync(join(outDir, key.split('/').pop() as string))).toBe(true);
    }
    const roles = functions.map(([, fn]) => JSON.stringify(fn.Properties.Role));
    expect(new Set(roles).size).toBe(functions.length);
  });

  it.each([
    ['ProvisionTenantStateMachine', 'provision-tenant.asl.json'],
    ['TeardownTenantStateMachine', 'teardown-tenant.asl.json'],
  ])('declares %s from %s with a substitution for every placeholder', (logicalId, file) => {
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

  it('routes OrgCreated and OrgDeleted from EventBridge to the router', () => {
    const rules = ofType('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resource];
    expect(rule.Properties.EventPattern).toMatchObject({ 'detail-type': ['OrgCreated', 'OrgDeleted'], source: ['pos.signup'] });
    expect(JSON.stringify(rule.Properties.Targets)).toContain('RouteOrgEventLambdaFunction');
  });

  it('creates the tenants\' permissions boundary from the same code that tests evaluate', () => {
    expect(template.Resources.TenantBoundaryPolicy?.Properties.PolicyDocument).toEqual(tenantBoundaryPolicy({ bucketPrefix: 'fusion-rms' }));
  });

  /**
   * Actions IAM accepts only with Resource "*" (no resource-level permissions): the state
   * machines' CloudWatch Logs delivery and X-Ray tracing. Nothing else may write on "*".
   */
  const RESOURCELESS_WRITES = new Set([
    'logs:CreateLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:PutResourcePolicy',
    'xray:PutTraceSegments', 'xray:PutTelemetryRecords',
  ]);

  it('grants no write action on a "*" resource (but resource-less log delivery and X-Ray) and only CreateUser with the boundary', () => {
    const isRead = (action: string) => /^[a-z0-9-]+:(Get|List|Describe|Head)/.test(action);
    const statements = ofType('AWS::IAM::Role').flatMap(([role, r]) =>
      ((r.Properties.Policies ?? []) as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] } }[])
        .flatMap((p) => p.PolicyDocument.Statement.map((s) => ({ role, ...s }))),
    );
    expect(statements.length).toBeGreaterThan(20);
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action);
      const resources = ([] as unknown[]).concat(s.Resource);
      if (resources.includes('*')) {
        expect({ role: s.role, writes: actions.filter((a) => !isRead(a) && !RESOURCELESS_WRITES.has(a)) }).toEqual({ role: s.role, writes: [] });
        if (actions.some((a) => RESOURCELESS_WRITES.has(a))) expect(s.role).toMatch(/StateMachineRole$/);
      }
      if (actions.includes('iam:CreateUser')) {
        expect(JSON.stringify(s.Condition)).toContain('iam:PermissionsBoundary');
        expect(JSON.stringify(s.Resource)).toContain('user/tenants/*');
      }
      expect(actions.some((a) => /^iam:(Put|Attach)\w*Policy$|^iam:(Put|Delete)UserPermissionsBoundary$/.test(a))).toBe(false);
    }
  });

  it.each(['ProvisionTenantStateMachine', 'TeardownTenantStateMachine'])('%s logs errors without execution data and is traced', (id) => {
    expect(template.Resources[id]?.Properties).toMatchObject({
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('alarms on failed and timed-out executions of each state machine, router errors and both dead-letter queues', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify([a.Properties.MetricName, a.Properties.Dimensions, a.Properties.AlarmActions]));
    const has = (metric: string, target: string) => alarms.some((a) => a.includes(`"${metric}"`) && a.includes(target));
    expect(has('ExecutionsFailed', 'ProvisionTenantStateMachine')).toBe(true);
    expect(has('ExecutionsTimedOut', 'ProvisionTenantStateMachine')).toBe(true);
    expect(has('ExecutionsFailed', 'TeardownTenantStateMachine')).toBe(true);
    expect(has('ExecutionsTimedOut', 'TeardownTenantStateMachine')).toBe(true);
    expect(has('Errors', 'RouteOrgEventLambdaFunction')).toBe(true);
    expect(has('ApproximateNumberOfMessagesVisible', 'RouterFailedEventsQueue')).toBe(true);
    expect(has('ApproximateNumberOfMessagesVisible', 'RuleDeadLetterQueue')).toBe(true);
    expect(alarms.every((a) => a.includes('AlarmTopic'))).toBe(true);
  });

  it('retries delivery to the router, dead-letters what it cannot deliver, and keeps every log for a bounded time', () => {
    const [, rule] = ofType('AWS::Events::Rule')[0] as [string, Resource];
    expect((rule.Properties.Targets as object[])[0]).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: expect.any(Number) },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
    });
    expect(ofType('AWS::Lambda::EventInvokeConfig')[0]?.[1].Properties).toMatchObject({ DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['RouterFailedEventsQueue', 'Arn'] } } } });
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups.length).toBe(17);
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
      const env = { PATH: process.env.PATH, LAMBDA_TASK_ROOT: taskRoot, AWS_REGION: 'us-east-1', ACCOUNT_ID: '123456789012', TENANT_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/tenant-boundary', POWERTOOLS_LOG_LEVEL: 'CRITICAL' };
      const thrown = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env, cwd: taskRoot })) as { name?: string; stack?: string };
      expect(thrown.name).toBe('InvalidOrgIdError');
      expect(thrown.stack).toMatch(/functions\/lib\/events\.ts:\d+:\d+/);
      expect(thrown.stack).not.toContain(`${basename(bundle)}:`);
    } finally {
      rmSync(taskRoot, { recursive: true, force: true });
    }
  });

  it('passes cfn-lint', () => {
    const cfnLint = join(root, '.venv/bin/cfn-lint');
    expect(existsSync(cfnLint)).toBe(true);
    let output = '';
    try {
      output = execFileSync(cfnLint, ['--format', 'parseable', join(outDir, 'cloudformation-template-update-stack.json')], { encoding: 'utf8' });
    } catch (err) {
      const { status, stdout } = err as { status: number; stdout: string };
      // cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational.
      output = stdout;
      expect({ errors: status & 2 ? stdout : '' }).toEqual({ errors: '' });
    }
    expect(output).not.toMatch(/:E\d{4}:/);
  });
});
