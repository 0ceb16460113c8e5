/**
 * Resolves the CloudFormation intrinsics that appear in the packaged template's policies
 * (`Ref`, `Fn::Sub`, `Fn::GetAtt`, `Fn::Join`) to the concrete values CloudFormation would
 * produce in one account, region and stage. Anything else fails loudly, naming what to add,
 * so a policy is never evaluated with an unresolved placeholder in it.
 */
import { createHash } from 'node:crypto';
import type { CloudFormationTemplate, Resource } from '../../../scripts/package-stack';

export interface Deployment {
  accountId: string;
  region: string;
  partition: string;
  stackName: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export class UnresolvableError extends Error {
  override readonly name = 'UnresolvableError';
}

function property(resource: Resource, name: string): unknown {
  return resource.Properties?.[name];
}

export class IntrinsicResolver {
  constructor(
    private readonly template: CloudFormationTemplate,
    readonly deployment: Deployment,
  ) {}

  private resource(logicalId: string): Resource {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new UnresolvableError(`No resource ${logicalId} in the template`);
    return resource;
  }

  /** A resource's physical name: its name property, resolved, or the name CloudFormation would generate. */
  private physicalName(logicalId: string, nameProperty: string): string {
    const name = property(this.resource(logicalId), nameProperty);
    return name === undefined ? `${this.deployment.stackName}-${logicalId}-GENERATED` : this.string(name);
  }

  private string(value: unknown): string {
    const resolved = this.resolve(value as Json);
    if (typeof resolved !== 'string') throw new UnresolvableError(`Expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  ref(name: string): string {
    const { accountId, region, partition, stackName } = this.deployment;
    const pseudo: Record<string, string> = {
      'AWS::AccountId': accountId,
      'AWS::Region': region,
      'AWS::Partition': partition,
      'AWS::StackName': stackName,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (name in pseudo) return pseudo[name] as string;
    const resource = this.resource(name);
    switch (resource.Type) {
      case 'AWS::IAM::ManagedPolicy': {
        const path = property(resource, 'Path') === undefined ? '/' : this.string(property(resource, 'Path'));
        return `arn:${partition}:iam::${accountId}:policy${path}${this.physicalName(name, 'ManagedPolicyName')}`;
      }
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${partition}:states:${region}:${accountId}:stateMachine:${this.physicalName(name, 'StateMachineName')}`;
      case 'AWS::SNS::Topic':
        return `arn:${partition}:sns:${region}:${accountId}:${this.physicalName(name, 'TopicName')}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${accountId}/${this.physicalName(name, 'QueueName')}`;
      case 'AWS::Lambda::Function':
        return this.physicalName(name, 'FunctionName');
      case 'AWS::IAM::Role':
        return this.physicalName(name, 'RoleName');
      case 'AWS::S3::Bucket':
        return this.physicalName(name, 'BucketName').toLowerCase();
      case 'AWS::Logs::LogGroup':
        return this.physicalName(name, 'LogGroupName');
      case 'AWS::DynamoDB::Table':
        return this.physicalName(name, 'TableName');
      case 'AWS::KMS::Key':
        // KMS picks a key id at creation: one fixed id per logical id stands in for it.
        return `${createHash('sha256').update(name).digest('hex').slice(0, 8)}-0000-4000-8000-000000000000`;
      default:
        throw new UnresolvableError(`Ref to ${name} (${resource.Type}) is not supported: add it to test/security/support/intrinsics.ts`);
    }
  }

  getAtt(logicalId: string, attribute: string): string {
    const { accountId, region, partition } = this.deployment;
    const resource = this.resource(logicalId);
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::SQS::Queue.Arn':
        return `arn:${partition}:sqs:${region}:${accountId}:${this.physicalName(logicalId, 'QueueName')}`;
      case 'AWS::SQS::Queue.QueueName':
        return this.physicalName(logicalId, 'QueueName');
      case 'AWS::Lambda::Function.Arn':
        return `arn:${partition}:lambda:${region}:${accountId}:function:${this.ref(logicalId)}`;
      case 'AWS::IAM::Role.Arn': {
        const path = property(resource, 'Path') === undefined ? '/' : this.string(property(resource, 'Path'));
        return `arn:${partition}:iam::${accountId}:role${path}${this.ref(logicalId)}`;
      }
      case 'AWS::StepFunctions::StateMachine.Arn':
        return this.ref(logicalId);
      case 'AWS::StepFunctions::StateMachine.Name':
        return this.physicalName(logicalId, 'StateMachineName');
      case 'AWS::SNS::Topic.TopicArn':
        return this.ref(logicalId);
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:${partition}:logs:${region}:${accountId}:log-group:${this.ref(logicalId)}:*`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:${partition}:s3:::${this.ref(logicalId)}`;
      case 'AWS::KMS::Key.Arn':
        return `arn:${partition}:kms:${region}:${accountId}:key/${this.ref(logicalId)}`;
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:${partition}:dynamodb:${region}:${accountId}:table/${this.ref(logicalId)}`;
      case 'AWS::Events::Rule.Arn': {
        // A rule on a custom bus has the bus's name in its ARN; one on the default bus does not.
        const bus = property(resource, 'EventBusName') === undefined ? 'default' : this.string(property(resource, 'EventBusName')).split('/').pop();
        const name = this.physicalName(logicalId, 'Name');
        return `arn:${partition}:events:${region}:${accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
      }
      default:
        throw new UnresolvableError(`Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) is not supported: add it to test/security/support/intrinsics.ts`);
    }
  }

  private sub(text: string, variables: Record<string, Json>): string {
    return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables) return this.string(variables[name]);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return this.getAtt(name.slice(0, dot), name.slice(dot + 1));
      return this.ref(name);
    });
  }

  /** `value` with every intrinsic replaced by its concrete value. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    const only = keys.length === 1 ? keys[0] : undefined;
    if (only === 'Ref') return this.ref(value.Ref as string);
    if (only === 'Fn::GetAtt') {
      const target = value['Fn::GetAtt'];
      const [logicalId, attribute] = Array.isArray(target) ? (target as string[]) : String(target).split(/\.(.*)/s);
      return this.getAtt(String(logicalId), String(attribute));
    }
    if (only === 'Fn::Sub') {
      const argument = value['Fn::Sub'];
      if (typeof argument === 'string') return this.sub(argument, {});
      const [text, variables] = argument as [string, Record<string, Json>];
      return this.sub(text, variables ?? {});
    }
    if (only === 'Fn::Join') {
      const [separator, items] = value['Fn::Join'] as [string, Json[]];
      const resolved = this.resolve(items);
      if (!Array.isArray(resolved)) throw new UnresolvableError(`Fn::Join of ${JSON.stringify(resolved)}`);
      return resolved.map((item) => String(item)).join(separator);
    }
    if (only?.startsWith('Fn::') || only === 'Condition') {
      throw new UnresolvableError(`${only} is not supported: add it to test/security/support/intrinsics.ts`);
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
  }
}

/** IAM policy variables (`${aws:username}`, `${*}`) are left for IAM; any other `${…}` is a placeholder. */
const PLACEHOLDER = /\$\{(?![a-z0-9-]+:[A-Za-z]|[*?$]\})[^}]*\}/;

/** Whether `value` still holds an intrinsic or a CloudFormation `${…}` placeholder anywhere. */
export function hasUnresolved(value: unknown): boolean {
  if (typeof value === 'string') return PLACEHOLDER.test(value);
  if (Array.isArray(value)) return value.some(hasUnresolved);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => key === 'Ref' || key.startsWith('Fn::') || hasUnresolved(item));
  }
  return false;
}
