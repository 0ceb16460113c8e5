/**
 * The rule that brings the POS system's OrgCreated/OrgDeleted to the router, by
 * `${file(./deploy/org-events.js):orgEvents}`, and the bus it listens on.
 *
 * Stage parameter `eventBusName` names the POS system's bus by name or ARN (`default` by
 * default). The stack never creates that bus: it belongs to the POS system, and a bus the stack
 * created would clash with it (or be deleted with the stack). The rule is written here rather
 * than as an osls `eventBridge` event because osls creates an `AWS::Events::EventBus` for any
 * name but `default`. The dead-letter queue's policy names the rule by its own ARN (`Fn::GetAtt`),
 * which is `rule/<name>` on the default bus and `rule/<bus>/<name>` on any other.
 */

/** EventBridge bus names: 1–256 of `A-Za-z0-9._-/` (partner buses contain `/`). */
const BUS_NAME = /^[A-Za-z0-9._\-/]{1,256}$/;
/** An event bus ARN in any partition; the rule is created on it, so it must be this account's and region's. */
const BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/([A-Za-z0-9._\-/]{1,256})$/;

/**
 * The bus as its ARN (a CloudFormation value) and as what `AWS::Events::Rule` and PutEvents
 * take. Throws, failing packaging, on anything that is neither a bus name nor a bus ARN.
 */
function eventBus(value) {
  const text = String(value ?? '').trim();
  if (BUS_ARN.test(text)) return { arn: text, ref: text, isDefault: text.endsWith(':event-bus/default') };
  if (BUS_NAME.test(text)) {
    return { arn: { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${text}` }, ref: text, isDefault: text === 'default' };
  }
  throw new Error(`Stage parameter eventBusName=${JSON.stringify(text)} must be an event bus name (A-Z a-z 0-9 . _ - /, at most 256) or an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)`);
}

module.exports.eventBus = eventBus;

module.exports.orgEvents = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const bus = eventBus(await resolveVariable('param:eventBusName'));
  const source = await resolveVariable('param:posEventSource');
  const router = { 'Fn::GetAtt': ['RouteOrgEventLambdaFunction', 'Arn'] };
  const ruleArn = { 'Fn::GetAtt': ['OrgEventsRule', 'Arn'] };
  return {
    Resources: {
      OrgEventsRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: `${service}-${stage}-org-events`,
          Description: `${service} ${stage}: OrgCreated and OrgDeleted from ${source} to the router`,
          ...(bus.isDefault ? {} : { EventBusName: bus.ref }),
          EventPattern: { source: [source], 'detail-type': ['OrgCreated', 'OrgDeleted'] },
          State: 'ENABLED',
          Targets: [
            {
              Id: 'router',
              Arn: router,
              // Delivery to the router is retried for an hour, then the event is kept in a queue.
              RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
            },
          ],
        },
      },
      OrgEventsRuleInvokesRouter: {
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: router, Principal: 'events.amazonaws.com', SourceArn: ruleArn },
      },
      // Events EventBridge could not deliver to the router at all: only this rule may put them here.
      RuleDeadLetterQueuePolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: 'RuleDeadLetterQueue' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'EventBridgeDeadLetters',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] },
                Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
              },
            ],
          },
        },
      },
    },
  };
};
