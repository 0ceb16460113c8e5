/**
 * Checks every packaged stage's template must pass, whatever its options: cfn-lint, with the
 * findings accepted on review (the one place they are suppressed), and the pipeline roles' rule
 * that nothing writes on a "*" resource and no role may give an IAM user a policy but the prefix
 * tenants' own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, type CloudFormationTemplate } from '../../scripts/package-stack';

/** A cfn-lint finding line (`--format parseable`: `<file>:<line>:<column>:<end line>:<end column>:<rule>:<message>`). */
interface CfnLintFinding {
  line: number;
  rule: string;
  text: string;
}

/**
 * cfn-lint findings accepted on review, with the reason, and for a finding that is right in
 * general, the one shape it is accepted in (`where`: the template line it points at).
 * Anything else cfn-lint reports (an error, or any other warning) fails.
 */
export const ACCEPTED_CFN_LINT: Record<string, { reason: string; where?: RegExp }> = {
  W3005: { reason: "osls gives each function a DependsOn on its role, which the function's Role GetAtt already implies: redundant, harmless, and not ours to change" },
  W1020: {
    reason:
      'An IAM policy variable on its own (the prefix policy and boundary\'s s3:prefix condition, `${aws:PrincipalTag/TenantPrefix}*`) reaches IAM as ' +
      'Fn::Sub "${!…}", written out literally: as a plain string osls would read `${aws:…}` as one of its own variables and fail packaging',
    // Only a Fn::Sub whose every `${` is an escaped policy variable.
    where: /^\s*"Fn::Sub": "(?:[^"$]|\$\{!aws:[A-Za-z/]+\})*",?$/,
  },
};

/** Runs cfn-lint on `templatePath`: its findings, or what it reported as errors. */
export function cfnLint(templatePath: string): { errors: string; findings: CfnLintFinding[] } {
  const cfnLintBin = join(PROJECT_ROOT, '.venv/bin/cfn-lint');
  if (!existsSync(cfnLintBin)) throw new Error(`${cfnLintBin} is missing: run scripts/setup.sh`);
  let output = '';
  let errors = '';
  try {
    output = execFileSync(cfnLintBin, ['--format', 'parseable', templatePath], { encoding: 'utf8' });
  } catch (err) {
    const { status, stdout } = err as { status: number; stdout: string };
    // cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational.
    output = stdout;
    if (status & 2 || /:E\d{4}:/.test(stdout)) errors = stdout;
  }
  const findings = output
    .split('\n')
    .filter(Boolean)
    .map((text) => {
      const [, line, rule] = /^.*?:(\d+):\d+:\d+:\d+:([EWI]\d{4}):/.exec(text) ?? [];
      return { line: Number(line), rule: rule ?? '', text };
    });
  return { errors, findings };
}

/** The cfn-lint findings on `templatePath` that ACCEPTED_CFN_LINT does not accept (lines of its output). */
export function unacceptedCfnLintFindings(templatePath: string): { errors: string; unaccepted: string[] } {
  const { errors, findings } = cfnLint(templatePath);
  const lines = readFileSync(templatePath, 'utf8').split('\n');
  const accepted = (f: CfnLintFinding) => {
    const entry = ACCEPTED_CFN_LINT[f.rule];
    return entry !== undefined && (entry.where === undefined || entry.where.test(lines[f.line - 1] ?? ''));
  };
  return { errors, unaccepted: findings.filter((f) => !accepted(f)).map((f) => `${f.text} (line: ${(lines[f.line - 1] ?? '').trim()})`) };
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** Every statement of every role's inline policies, with the role's logical id. */
export function roleStatements(template: CloudFormationTemplate): (Statement & { role: string })[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .flatMap(([role, r]) => ((r.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement.map((s) => ({ role, ...s }))));
}

/**
 * Actions IAM accepts only with Resource "*" (no resource-level permissions): the state
 * machines' CloudWatch Logs delivery and X-Ray tracing. Nothing else may write on "*".
 */
const RESOURCELESS_WRITES = new Set([
  'logs:CreateLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:PutResourcePolicy',
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords',
]);
const isRead = (action: string) => /^[a-z0-9-]+:(Get|List|Describe|Head)/.test(action);
const POLICY_GRANTS = /^iam:(Put|Attach)\w*Policy$|^iam:(Put|Delete)UserPermissionsBoundary$/;
/** The one policy grant a role may make: the prefix tenants' policy, to a user tenant-provisioner manages. */
const PREFIX_POLICY_ONLY = { ArnEquals: { 'iam:PolicyARN': { Ref: 'TenantPrefixPolicy' } }, StringEquals: { 'aws:ResourceTag/ManagedBy': 'tenant-provisioner' } };

/**
 * What breaks the roles' rules, one line each: a write on "*" (but resource-less log delivery and
 * X-Ray, by the state machines), CreateUser without the boundary condition or outside the stage's
 * tenant path, and any policy or boundary grant but AttachUserPolicy of TenantPrefixPolicy (only
 * CreateTenantUser's, only to a managed user, only in a stage that has that policy).
 */
export function roleRuleViolations(template: CloudFormationTemplate, stage: string): string[] {
  const violations: string[] = [];
  const allows = roleStatements(template).filter((s) => s.Effect === 'Allow');
  if (allows.length <= 20) violations.push(`only ${allows.length} Allow statements: not the stack's roles`);
  for (const s of allows) {
    const actions = ([] as string[]).concat(s.Action);
    const resources = ([] as unknown[]).concat(s.Resource);
    if (resources.includes('*')) {
      const writes = actions.filter((a) => !isRead(a) && !RESOURCELESS_WRITES.has(a));
      if (writes.length > 0) violations.push(`${s.role} writes on "*": ${writes.join(', ')}`);
      if (actions.some((a) => RESOURCELESS_WRITES.has(a)) && !s.role.endsWith('StateMachineRole')) violations.push(`${s.role} delivers logs or traces, which only state machines do`);
    }
    if (actions.includes('iam:CreateUser')) {
      if (!JSON.stringify(s.Condition).includes('iam:PermissionsBoundary')) violations.push(`${s.role} may CreateUser without the boundary`);
      if (!JSON.stringify(s.Resource).includes(`user/tenants/${stage}/*`)) violations.push(`${s.role} may CreateUser outside /tenants/${stage}/`);
    }
    for (const action of actions.filter((a) => POLICY_GRANTS.test(a))) {
      const prefixPolicyOnly = action === 'iam:AttachUserPolicy' && actions.length === 1 && s.role === 'CreateTenantUserRole' && JSON.stringify(s.Condition) === JSON.stringify(PREFIX_POLICY_ONLY);
      if (!prefixPolicyOnly || template.Resources.TenantPrefixPolicy === undefined) violations.push(`${s.role} may ${action} (${JSON.stringify(s.Condition ?? {})})`);
    }
  }
  return violations;
}
