/**
 * Packages the real stack with `osls package`, offline: no AWS credentials and, where the
 * machine allows it, no network at all (a fresh network namespace with only loopback).
 * Then checks the generated CloudFormation template and runs cfn-lint on it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tenantBoundaryPolicy } from '../../functions/lib/policies';

const root = join(__dirname, '../..');
const outDir = mkdtempSync(join(tmpdir(), 'tenant-provisioner-package-'));

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };
let template: { Resources: Record<string, Resource> };
let packagedOffline = false;

function canIsolateNetwork(): boolean {
  return process.platform === 'linux' && spawnSync('unshare', ['-n', 'true']).status === 0;
}

beforeAll(() => {
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*' };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_') && name !== 'AWS_REGION') delete env[name];
  const osls = [join(root, 'node_modules/.bin/osls'), 'package', '--stage', 'dev', '--region', 'us-east-1', '--package', outDir];
  packagedOffline = canIsolateNetwork();
  const [command, args] = packagedOffline ? ['unshare', ['-n', process.execPath, ...osls]] : [process.execPath, osls];
  const result = spawnSync(command, args as string[], { cwd: root, env, encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) throw new Error(`osls package failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 300_000);

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

  it('grants no write action on a "*" resource and only CreateUser with the boundary', () => {
    const isRead = (action: string) => /^[a-z0-9-]+:(Get|List|Describe|Head)/.test(action);
    const statements = ofType('AWS::IAM::Role').flatMap(([role, r]) =>
      ((r.Properties.Policies ?? []) as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] } }[])
        .flatMap((p) => p.PolicyDocument.Statement.map((s) => ({ role, ...s }))),
    );
    expect(statements.length).toBeGreaterThan(20);
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action);
      const resources = ([] as unknown[]).concat(s.Resource);
      if (resources.includes('*')) expect({ role: s.role, writes: actions.filter((a) => !isRead(a)) }).toEqual({ role: s.role, writes: [] });
      if (actions.includes('iam:CreateUser')) {
        expect(JSON.stringify(s.Condition)).toContain('iam:PermissionsBoundary');
        expect(JSON.stringify(s.Resource)).toContain('user/tenants/*');
      }
      expect(actions.some((a) => /^iam:(Put|Attach)\w*Policy$|^iam:(Put|Delete)UserPermissionsBoundary$/.test(a))).toBe(false);
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
