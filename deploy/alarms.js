/**
 * The stack's CloudWatch alarms and their SNS topic, by `${file(./deploy/alarms.js):alarms}`.
 * Stage parameter `alarmTopicArn`: an existing topic to notify; when empty the stack creates
 * its own (output AlarmTopicArn). Every alarm fires on the first occurrence in 5 minutes, but
 * the quota alarm (built from stage parameter `tenantQuota` below).
 */

/** The share of tenantQuota at which LiveTenantsNearQuotaAlarm fires (issue 11: 80 %). */
const QUOTA_ALARM_SHARE = 0.8;
/** What functions/lib/metrics.ts publishes through Powertools Metrics (EMF): namespace, metric, its `service` dimension. */
const LIVE_TENANTS = { namespace: 'TenantProvisioner', metric: 'LiveTenants', service: 'tenant-provisioner' };

const ALARMS = [
  {
    id: 'ProvisionFailedAlarm',
    description:
      'A provisioning execution failed: a permanent error (rolled back, OrgProvisioningFailed sent) or a step that gave up after retries (parked, redrivable). `tenantctl failed` shows which.',
    namespace: 'AWS/States',
    metric: 'ExecutionsFailed',
    dimensions: [['StateMachineArn', { Ref: 'ProvisionTenantStateMachine' }]],
  },
  {
    id: 'ProvisionTimedOutAlarm',
    description: 'A provisioning execution timed out; it kept what it made and can be redriven.',
    namespace: 'AWS/States',
    metric: 'ExecutionsTimedOut',
    dimensions: [['StateMachineArn', { Ref: 'ProvisionTenantStateMachine' }]],
  },
  {
    id: 'TeardownFailedAlarm',
    description: 'A teardown execution failed at a step: the tenant is revoked but not fully deleted. Redrive it after fixing the cause.',
    namespace: 'AWS/States',
    metric: 'ExecutionsFailed',
    dimensions: [['StateMachineArn', { Ref: 'TeardownTenantStateMachine' }]],
  },
  {
    id: 'TeardownTimedOutAlarm',
    description: 'A teardown execution timed out; redrive it.',
    namespace: 'AWS/States',
    metric: 'ExecutionsTimedOut',
    dimensions: [['StateMachineArn', { Ref: 'TeardownTenantStateMachine' }]],
  },
  {
    id: 'RouterErrorsAlarm',
    description: 'The router Lambda threw: Lambda retries the event, then keeps it in the router-failed-events queue.',
    namespace: 'AWS/Lambda',
    metric: 'Errors',
    dimensions: [['FunctionName', { Ref: 'RouteOrgEventLambdaFunction' }]],
  },
  {
    id: 'RouterFailedEventsAlarm',
    description: 'OrgCreated/OrgDeleted events the router could not handle wait in the router-failed-events queue.',
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    statistic: 'Maximum',
    dimensions: [['QueueName', { 'Fn::GetAtt': ['RouterFailedEventsQueue', 'QueueName'] }]],
  },
  {
    id: 'UndeliveredEventsAlarm',
    description: 'EventBridge could not deliver OrgCreated/OrgDeleted events to the router; they wait in the undelivered-org-events queue.',
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    statistic: 'Maximum',
    dimensions: [['QueueName', { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'QueueName'] }]],
  },
  {
    id: 'RestoreFailedAlarm',
    description: 'A restore execution failed at a step: the tenant is parked between retained and active (keys possibly active, bucket policy possibly missing). `tenantctl status` shows where; redrive it.',
    namespace: 'AWS/States',
    metric: 'ExecutionsFailed',
    dimensions: [['StateMachineArn', { Ref: 'RestoreTenantStateMachine' }]],
  },
  {
    id: 'RestoreTimedOutAlarm',
    description: 'A restore execution timed out; redrive it.',
    namespace: 'AWS/States',
    metric: 'ExecutionsTimedOut',
    dimensions: [['StateMachineArn', { Ref: 'RestoreTenantStateMachine' }]],
  },
  {
    id: 'TrackerErrorsAlarm',
    description: 'The execution status tracker threw: Lambda retries the event, then keeps it in the tracker-failed-events queue. Until it is handled, a failed run may not show as parked in the ledger.',
    namespace: 'AWS/Lambda',
    metric: 'Errors',
    dimensions: [['FunctionName', { Ref: 'TrackExecutionStatusLambdaFunction' }]],
  },
  {
    id: 'TrackerFailedEventsAlarm',
    description: 'Step Functions status events the tracker could not handle wait in the tracker-failed-events queue (each message holds the event as requestPayload).',
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    statistic: 'Maximum',
    dimensions: [['QueueName', { 'Fn::GetAtt': ['TrackerFailedEventsQueue', 'QueueName'] }]],
  },
  {
    id: 'UndeliveredStatusEventsAlarm',
    description: 'EventBridge could not deliver Step Functions status events to the tracker; they wait in the undelivered-status-events queue.',
    namespace: 'AWS/SQS',
    metric: 'ApproximateNumberOfMessagesVisible',
    statistic: 'Maximum',
    dimensions: [['QueueName', { 'Fn::GetAtt': ['StatusEventDeadLetterQueue', 'QueueName'] }]],
  },
];

/**
 * Live tenants at 80 % of the IAM users quota (issue 11): time to raise the quota or split
 * the stage before the router starts refusing OrgCreated with TenantQuotaExceededError. The
 * metric is published only when a ledger write changes the count, so a quiet hour has no data
 * point: TreatMissingData `ignore` keeps the last state (a count that stays high stays in
 * alarm, instead of `notBreaching` turning it OK while nothing changed).
 */
function liveTenantsAlarm(quota, stage) {
  return {
    id: 'LiveTenantsNearQuotaAlarm',
    description: `Live tenants reached ${Math.round(QUOTA_ALARM_SHARE * 100)} % of tenantQuota (${quota}, the account's IAM users quota). At ${quota} the router refuses OrgCreated with TenantQuotaExceededError: raise the IAM quota (and tenantQuota) or move tenants to another account.`,
    namespace: LIVE_TENANTS.namespace,
    metric: LIVE_TENANTS.metric,
    statistic: 'Maximum',
    dimensions: [
      ['service', LIVE_TENANTS.service],
      ['stage', stage],
    ],
    threshold: Math.ceil(quota * QUOTA_ALARM_SHARE),
    treatMissingData: 'ignore',
  };
}

module.exports.ALARMS = ALARMS;
module.exports.liveTenantsAlarm = liveTenantsAlarm;
module.exports.QUOTA_ALARM_SHARE = QUOTA_ALARM_SHARE;

module.exports.alarms = async ({ resolveVariable }) => {
  const topicArn = String((await resolveVariable('param:alarmTopicArn')) ?? '').trim();
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const quotaText = String(await resolveVariable('param:tenantQuota')).trim();
  // As functions/lib/config.ts checks TENANT_QUOTA: a stage that would fail every cold start fails packaging.
  if (!/^[1-9]\d{0,5}$/.test(quotaText)) throw new Error(`Stage parameter tenantQuota=${JSON.stringify(quotaText)} must be a whole number from 1 to 999999`);
  const quota = Number(quotaText);
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
  for (const alarm of [...ALARMS, liveTenantsAlarm(quota, stage)]) {
    Resources[alarm.id] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: alarm.description,
        Namespace: alarm.namespace,
        MetricName: alarm.metric,
        Dimensions: alarm.dimensions.map(([Name, Value]) => ({ Name, Value })),
        Statistic: alarm.statistic ?? 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: alarm.threshold ?? 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: alarm.treatMissingData ?? 'notBreaching',
        AlarmActions: [action],
      },
    };
  }
  return { Resources, Outputs };
};
