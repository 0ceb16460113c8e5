/**
 * Stage parameters that change the stack's shape, each packaged for real with the
 * parameter as an operator would pass it:
 * - `eventBusName`, the POS system's bus by name or ARN: the stack listens and publishes there but
 *   never creates it, and the dead-letter queue admits the rule EventBridge really runs on that
 *   bus — `rule/<bus>/<name>` on a custom bus, `rule/<name>` on the default one;
 * - `publicGrantCheck`: the AWS Config rule that flags a tenant bucket granting more than public
 *   reads of `pub/*`;
 * - `rotationDays` and `previousKeyOverlapDays`, checked at packaging as at cold start.
 */
import { rmSync } from 'node:fs';
import { packageStack, type CloudFormationTemplate } from '../../scripts/package-stack';
import { buildWorld } from '../security/support/world';
import { IntrinsicResolver } from '../security/support/intrinsics';

const DEPLOYMENT = { accountId: '123456789012', region: 'us-east-1', partition: 'aws', stackName: 'tenant-provisioner-dev' };
const BUS_ARN = 'arn:aws:events:us-east-1:123456789012:event-bus/pos-signup';

function packaged(params: Record<string, string>): CloudFormationTemplate {
  const stack = packageStack({ stage: 'dev', region: 'us-east-1', params });
  rmSync(stack.outDir, { recursive: true, force: true });
  return stack.template;
}

describe.each([
  ['a name', 'pos-signup'],
  ['an ARN', BUS_ARN],
])('eventBusName given as %s', (_how, eventBusName) => {
  let template: CloudFormationTemplate;
  beforeAll(() => {
    template = packaged({ eventBusName });
  }, 600_000);

  it('creates no event bus', () => {
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::EventBus')).toEqual([]);
  });

  it('puts the org events rule on that bus, and lets only that rule dead-letter and invoke the router', () => {
    const resolver = new IntrinsicResolver(template, DEPLOYMENT);
    const rule = template.Resources.OrgEventsRule;
    expect(rule?.Properties.EventBusName).toBe(eventBusName);
    const ruleArn = resolver.getAtt('OrgEventsRule', 'Arn');
    expect(ruleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/pos-signup/tenant-provisioner-dev-org-events');
    const policy = resolver.resolve(template.Resources.RuleDeadLetterQueuePolicy?.Properties.PolicyDocument as never) as { Statement: { Condition: unknown }[] };
    expect(policy.Statement.map((st) => st.Condition)).toEqual([{ ArnEquals: { 'aws:SourceArn': ruleArn } }]);
    expect(resolver.resolve(template.Resources.OrgEventsRuleInvokesRouter?.Properties.SourceArn as never)).toBe(ruleArn);
  });

  it('lets the publishers put events on that bus only', () => {
    const world = buildWorld({ template, outDir: '', templatePath: '', packagedOffline: true });
    const buses = [...world.functions.values()].flatMap((fn) =>
      fn.role.policies.flatMap((p) => p.policy.Statement.filter((st) => [st.Action].flat().includes('events:PutEvents')).flatMap((st) => [st.Resource].flat() as string[])),
    );
    expect(buses.length).toBeGreaterThanOrEqual(5);
    expect(new Set(buses)).toEqual(new Set([BUS_ARN]));
  });
});

it('refuses, at packaging, an eventBusName that is neither a bus name nor a bus ARN', () => {
  expect(() => packaged({ eventBusName: 'arn:aws:sns:us-east-1:123456789012:not-a-bus' })).toThrow(
    /Stage parameter eventBusName="arn:aws:sns:us-east-1:123456789012:not-a-bus" must be an event bus name .* or an event bus ARN/,
  );
}, 600_000);

describe('publicGrantCheck', () => {
  it("adds the AWS Config rule that bounds every tenant bucket's outside access at public reads of pub/*", () => {
    const template = packaged({ publicGrantCheck: 'true' });
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Config::ConfigRule');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({
      ConfigRuleName: 'tenant-provisioner-dev-tenant-bucket-public-grants',
      Scope: { TagKey: 'ManagedBy', TagValue: 'tenant-provisioner' },
      Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_POLICY_NOT_MORE_PERMISSIVE' },
    });
    const control = new IntrinsicResolver(template, DEPLOYMENT).resolve((rules[0]?.Properties.InputParameters as { controlPolicy: never }).controlPolicy) as string;
    expect(control.length).toBeLessThanOrEqual(1024);
    expect(JSON.parse(control)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::fusion-rms-*/pub/*' }],
    });
  }, 600_000);

  it('is off by default (it needs the account\'s AWS Config recorder)', () => {
    expect(Object.values(packaged({}).Resources).filter((r) => r.Type === 'AWS::Config::ConfigRule')).toEqual([]);
  }, 600_000);

  it('refuses a value other than true or false', () => {
    expect(() => packaged({ publicGrantCheck: 'yes' })).toThrow(/Stage parameter publicGrantCheck="yes" must be "true" or "false"/);
  }, 600_000);
});

describe('rotationDays and previousKeyOverlapDays', () => {
  const rotationEnv = (template: CloudFormationTemplate) => {
    const variables = (template.Resources.RotateTenantCredentialsLambdaFunction?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    return { ROTATION_DAYS: variables.ROTATION_DAYS, PREVIOUS_KEY_OVERLAP_DAYS: variables.PREVIOUS_KEY_OVERLAP_DAYS };
  };

  it('hands every function the stage\'s values, 0 (no scheduled rotation) among them', () => {
    expect(rotationEnv(packaged({ rotationDays: '30', previousKeyOverlapDays: '3' }))).toEqual({ ROTATION_DAYS: '30', PREVIOUS_KEY_OVERLAP_DAYS: '3' });
    expect(rotationEnv(packaged({ rotationDays: '0', previousKeyOverlapDays: '7' }))).toEqual({ ROTATION_DAYS: '0', PREVIOUS_KEY_OVERLAP_DAYS: '7' });
  }, 600_000);

  it('refuses an overlap that does not end before the next rotation (which deletes the previous key)', () => {
    expect(() => packaged({ rotationDays: '7', previousKeyOverlapDays: '7' })).toThrow(/Stage parameter previousKeyOverlapDays="7" must be less than rotationDays \(7\)/);
  }, 600_000);

  it.each([
    ['rotationDays', '1001', /Stage parameter rotationDays="1001" must be a whole number of days from 0 \(no scheduled rotation\) to 1000/],
    ['rotationDays', '90d', /Stage parameter rotationDays="90d" must be a whole number of days/],
    ['previousKeyOverlapDays', '-1', /Stage parameter previousKeyOverlapDays="-1" must be a whole number of days from 0 to 1000/],
  ])('refuses %s=%s, as the cold start would', (name, value, message) => {
    expect(() => packaged({ [name]: value })).toThrow(message);
  }, 600_000);
});
