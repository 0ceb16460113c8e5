/**
 * The IAM policies of the packaged stack, resolved to concrete ARNs: for each role, every
 * policy that applies to it (inline `Policies`, managed policies of the template listed in
 * `ManagedPolicyArns`, and `AWS::IAM::Policy`/`ManagedPolicy` resources naming it in
 * `Roles`), plus its permissions boundary when it has one; and which role each Lambda
 * function and state machine runs as.
 */
import type { CloudFormationTemplate, Resource } from '../../../scripts/package-stack';
import { IntrinsicResolver, UnresolvableError, type Deployment } from './intrinsics';

export interface PolicyDocument {
  Version: string;
  Statement: Record<string, unknown>[];
}

export interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

export interface RolePolicies {
  logicalId: string;
  arn: string;
  policies: NamedPolicy[];
  boundary?: NamedPolicy;
}

export interface FunctionRole {
  /** The function's key in serverless.yml (`createTenantUser`). */
  key: string;
  logicalId: string;
  functionName: string;
  functionArn: string;
  role: RolePolicies;
}

const lowerFirst = (text: string) => `${text.charAt(0).toLowerCase()}${text.slice(1)}`;

export class StackPolicies {
  readonly resolver: IntrinsicResolver;

  constructor(
    readonly template: CloudFormationTemplate,
    deployment: Deployment,
  ) {
    this.resolver = new IntrinsicResolver(template, deployment);
  }

  private ofType(type: string): [string, Resource][] {
    return Object.entries(this.template.Resources).filter(([, resource]) => resource.Type === type);
  }

  private resolved<T>(value: unknown): T {
    return this.resolver.resolve(value as never) as T;
  }

  /** The logical id of the role a `Role`/`RoleArn` property points at. */
  private roleLogicalId(reference: unknown, owner: string): string {
    const getAtt = (reference as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
    const id = getAtt?.[0] ?? (typeof reference === 'string' ? reference : undefined);
    if (!id || this.template.Resources[id]?.Type !== 'AWS::IAM::Role') {
      throw new UnresolvableError(`${owner} does not run as a role of this template: ${JSON.stringify(reference)}`);
    }
    return id;
  }

  /** The template's managed policy behind a resolved policy ARN. */
  private managedPolicy(arn: string, owner: string): NamedPolicy {
    const found = this.ofType('AWS::IAM::ManagedPolicy').find(([id]) => this.resolver.ref(id) === arn);
    if (!found) throw new UnresolvableError(`${owner} uses managed policy ${arn}, which is not in the template and cannot be evaluated`);
    return { name: found[0], policy: this.resolved<PolicyDocument>(found[1].Properties.PolicyDocument) };
  }

  roleIds(): string[] {
    return this.ofType('AWS::IAM::Role').map(([id]) => id);
  }

  role(logicalId: string): RolePolicies {
    const resource = this.template.Resources[logicalId];
    if (resource?.Type !== 'AWS::IAM::Role') throw new UnresolvableError(`No role ${logicalId} in the template`);
    const props = resource.Properties as {
      Policies?: { PolicyName: unknown; PolicyDocument: unknown }[];
      ManagedPolicyArns?: unknown[];
      PermissionsBoundary?: unknown;
    };
    const policies: NamedPolicy[] = (props.Policies ?? []).map((p) => ({
      name: `${logicalId}/${this.resolved<string>(p.PolicyName)}`,
      policy: this.resolved<PolicyDocument>(p.PolicyDocument),
    }));
    for (const arn of this.resolved<string[]>(props.ManagedPolicyArns ?? [])) policies.push(this.managedPolicy(arn, logicalId));
    for (const [id, policy] of [...this.ofType('AWS::IAM::Policy'), ...this.ofType('AWS::IAM::ManagedPolicy')]) {
      const roles = (policy.Properties.Roles ?? []) as unknown[];
      if (roles.some((r) => (r as { Ref?: string }).Ref === logicalId || r === logicalId)) {
        policies.push({ name: id, policy: this.resolved<PolicyDocument>(policy.Properties.PolicyDocument) });
      }
    }
    const boundary = props.PermissionsBoundary === undefined ? undefined : this.managedPolicy(this.resolved<string>(props.PermissionsBoundary), logicalId);
    return { logicalId, arn: this.resolver.getAtt(logicalId, 'Arn'), policies, ...(boundary ? { boundary } : {}) };
  }

  /** Every Lambda function of the stack with the role it runs as. */
  functions(): FunctionRole[] {
    return this.ofType('AWS::Lambda::Function').map(([logicalId, fn]) => ({
      key: lowerFirst(logicalId.replace(/LambdaFunction$/, '')),
      logicalId,
      functionName: this.resolver.ref(logicalId),
      functionArn: this.resolver.getAtt(logicalId, 'Arn'),
      role: this.role(this.roleLogicalId(fn.Properties.Role, logicalId)),
    }));
  }

  /** Every state machine of the stack with the role it runs as. */
  stateMachines(): { logicalId: string; arn: string; role: RolePolicies }[] {
    return this.ofType('AWS::StepFunctions::StateMachine').map(([logicalId, machine]) => ({
      logicalId,
      arn: this.resolver.ref(logicalId),
      role: this.role(this.roleLogicalId(machine.Properties.RoleArn, logicalId)),
    }));
  }
}
