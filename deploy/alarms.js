/**
 * The stack's CloudWatch alarms and their SNS topic, by `${file(./deploy/alarms.js):alarms}`.
 * Stage parameter `alarmTopicArn`: an existing topic to notify; when empty the stack creates
 * its own (output AlarmTopicArn). Every alarm fires on the first occurrence in 5 minutes, but
 * the quota alarm (built from stage parameter `tenantQuota` below).
 *
 * The topic the stack creates is encrypted with a customer managed key of its own: CloudWatch
 * publishes to an encrypted topic only when the key policy lets `cloudwatch.amazonaws.com` use
 * the key (kms:Decrypt, kms:GenerateDataKey*), and the AWS managed `alias/aws/sns` key's policy
 * cannot be changed to allow that — a topic under it would take every alarm silently (SNS
 * developer guide, "Enable compatibility between event sources from AWS services and encrypted
 * topics"). The grant is conditioned on this account and on this stage's alarms, which are
 * named `<service>-<stage>-<AlarmId>` so the condition can name them.
 */

/** The share of tenantQuota at which LiveTenantsNearQuotaAlarm fires: 80 %, time enough to raise the quota. */
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
    id: 'RotationErrorsAlarm',
    description:
      "A step of a tenant key rotation failed: the tenant's current key keeps working, the new one is not in use. The function log names the secret and the error " +
      '(TenantKeyOverlapError: the previous key is still in its overlap; TenantCredentialsNotReadyError: IAM had not propagated the new key). Rotate it again once the cause is fixed.',
    namespace: 'AWS/Lambda',
    metric: 'Errors',
    dimensions: [['FunctionName', { Ref: 'RotateTenantCredentialsLambdaFunction' }]],
  },
  {
    id: 'RetireErrorsAlarm',
    description:
      'The daily retirement of previous tenant keys failed for some tenants (RetireSweepError names them) or as a whole: keys past their overlap stay active until a run succeeds (Lambda retries twice; each run catches up on the last 7 days). The function log names each secret and its error.',
    namespace: 'AWS/Lambda',
    metric: 'Errors',
    dimensions: [['FunctionName', { Ref: 'RetirePreviousTenantKeysLambdaFunction' }]],
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
 * Live tenants at 80 % of the IAM users quota: time to raise the quota or split
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

/** The name every alarm of the stage gets: `<service>-<stage>-<AlarmId>`, which the key and topic policies name. */
const alarmName = (service, stage, id) => `${service}-${stage}-${id}`;

/** What CloudWatch needs to publish alarms to a topic encrypted with a customer managed key. */
const CLOUDWATCH_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/** `aws:SourceAccount` and `aws:SourceArn` of this stage's alarms: CloudWatch acting for them, and nothing else. */
function ourAlarms(service, stage) {
  return {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${alarmName(service, stage, '*')}` } },
  };
}

/**
 * The alarm topic, its key and its policy. The key policy's first statement is the default one
 * (the account administers the key through IAM, so it can never become unmanageable); the
 * second lets CloudWatch use it for this stage's alarms only. The topic policy replaces SNS's
 * default one: CloudWatch may publish for this stage's alarms, and no one may publish over
 * plain HTTP. Subscriptions are the operators' to add (by IAM in this account).
 */
function alarmTopic(service, stage) {
  const cloudwatch = { Service: 'cloudwatch.amazonaws.com' };
  return {
    AlarmTopicKey: {
      Type: 'AWS::KMS::Key',
      // Deleting the stack schedules the key's deletion (KMS's 7–30 day window) rather than keeping it forever.
      Properties: {
        Description: `${service} ${stage}: encrypts the alarm topic; CloudWatch may use it for this stage's alarms`,
        EnableKeyRotation: true,
        PendingWindowInDays: 30,
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AccountAdministersKeyThroughIam',
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'CloudWatchPublishesThisStagesAlarms',
              Effect: 'Allow',
              Principal: cloudwatch,
              Action: CLOUDWATCH_KEY_ACTIONS,
              Resource: '*',
              Condition: ourAlarms(service, stage),
            },
          ],
        },
      },
    },
    AlarmTopicKeyAlias: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: `alias/${service}-${stage}-alarms`, TargetKeyId: { Ref: 'AlarmTopicKey' } },
    },
    AlarmTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: `${service}-${stage}-alarms`, KmsMasterKeyId: { 'Fn::GetAtt': ['AlarmTopicKey', 'Arn'] } },
    },
    AlarmTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'AlarmTopic' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Sid: 'CloudWatchPublishesThisStagesAlarms', Effect: 'Allow', Principal: cloudwatch, Action: 'sns:Publish', Resource: { Ref: 'AlarmTopic' }, Condition: ourAlarms(service, stage) },
            { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: { Ref: 'AlarmTopic' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          ],
        },
      },
    },
  };
}

module.exports.ALARMS = ALARMS;
module.exports.alarmName = alarmName;
module.exports.CLOUDWATCH_KEY_ACTIONS = CLOUDWATCH_KEY_ACTIONS;
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
    Object.assign(Resources, alarmTopic(service, stage));
    action = { Ref: 'AlarmTopic' };
  }
  Outputs.AlarmTopicArn = { Value: action };
  for (const alarm of [...ALARMS, liveTenantsAlarm(quota, stage)]) {
    Resources[alarm.id] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: alarmName(service, stage, alarm.id),
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
