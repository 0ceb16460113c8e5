/**
 * The stack's CloudWatch alarms and their SNS topic, by `${file(./deploy/alarms.js):alarms}`.
 * Stage parameter `alarmTopicArn`: an existing topic to notify; when empty the stack creates
 * its own (output AlarmTopicArn). Every alarm fires on the first occurrence in 5 minutes.
 */

const ALARMS = [
  {
    id: 'ProvisionFailedAlarm',
    description:
      'A provisioning execution failed: a permanent error (rolled back, OrgProvisioningFailed sent) or a step that gave up after retries (parked, redrivable). `tenantctl failed` shows which.',
    namespace: 'AWS/States',
    metric: 'ExecutionsFailed',
    dimension: ['StateMachineArn', { Ref: 'ProvisionTenantStateMachine' }],
  },
  {
    id: 'ProvisionTimedOutAlarm',
    description: 'A provisioning execution timed out; it kept what it made and can be redriven.',
    namespace: 'AWS/States',
    metric: 'ExecutionsTimedOut',
    dimension: ['StateMachineArn', { Ref: 'ProvisionTenantStateMachine' }],
  },
  {
    id: 'TeardownFailedAlarm',
    description: 'A teardown execution failed at a step: the tenant is revoked but not fully deleted. Redrive it after fixing the cause.',
    namespace: 'AWS/States',
    metric: 'ExecutionsFailed',
    dimension: ['StateMachineArn', { Ref: 'TeardownTenantStateMachine' }],
  },
  {
    id: 'TeardownTimedOutAlarm',
    description: 'A teardown execution timed out; redrive it.',
    namespace: 'AWS/States',
    metric: 'ExecutionsTimedOut',
    dimension: ['StateMachineArn', { Ref: 'TeardownTenantStateMachine' }],
  },
  {
    id: 'RouterErrorsAlarm',
    description: 'The router Lambda threw: Lambda retries the event, then keeps it in the router-failed-events queue.',
    namespace: 'AWS/Lambda',
    metric: 'Errors',
    dimension: ['FunctionName', { Ref: 'RouteOrgEventLambdaFunction' }],
  },
  {
    id: 'RouterFailedEventsAlarm',
    description: 'OrgCreated/OrgDeleted events the router could not handle wait in the router-failed-events queue.',
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    statistic: 'Maximum',
    dimension: ['QueueName', { 'Fn::GetAtt': ['RouterFailedEventsQueue', 'QueueName'] }],
  },
  {
    id: 'UndeliveredEventsAlarm',
    description: 'EventBridge could not deliver OrgCreated/OrgDeleted events to the router; they wait in the undelivered-org-events queue.',
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    statistic: 'Maximum',
    dimension: ['QueueName', { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'QueueName'] }],
  },
];

module.exports.ALARMS = ALARMS;

module.exports.alarms = async ({ resolveVariable }) => {
  const topicArn = String((await resolveVariable('param:alarmTopicArn')) ?? '').trim();
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const Resources = {};
  const Outputs = {};
  let action = topicArn;
  if (!topicArn) {
    Resources.AlarmTopic = {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: `${service}-${stage}-alarms`, KmsMasterKeyId: 'alias/aws/sns' },
    };
    action = { Ref: 'AlarmTopic' };
  }
  Outputs.AlarmTopicArn = { Value: action };
  for (const alarm of ALARMS) {
    Resources[alarm.id] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: alarm.description,
        Namespace: alarm.namespace,
        MetricName: alarm.metric,
        Dimensions: [{ Name: alarm.dimension[0], Value: alarm.dimension[1] }],
        Statistic: alarm.statistic ?? 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [action],
      },
    };
  }
  return { Resources, Outputs };
};
