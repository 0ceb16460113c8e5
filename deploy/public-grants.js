/**
 * Stage option `publicGrantCheck` (default `false`), by `${file(./deploy/public-grants.js):publicGrantCheck}`:
 * an AWS Config rule that flags any tenant bucket whose policy lets anyone outside the account do
 * more than read `pub/*` — a public grant outside `pub/`, or any other account's access, added by
 * hand or by a mistake. It is the AWS managed rule S3_BUCKET_POLICY_NOT_MORE_PERMISSIVE with the
 * grant every tenant bucket carries as its upper bound (its `controlPolicy`, at most 1,024
 * characters); same-account grants (the tenant user's) are not what it compares. It covers the
 * buckets tagged ManagedBy=tenant-provisioner. It needs the AWS Config recorder on in the account
 * and region (recording AWS::S3::Bucket), which is why it is off by default.
 */

function controlPolicy(bucketPrefix) {
  return {
    'Fn::Sub': JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:\${AWS::Partition}:s3:::${bucketPrefix}-*/pub/*` }],
    }),
  };
}

module.exports.publicGrantCheck = async ({ resolveVariable }) => {
  const enabled = String(await resolveVariable('param:publicGrantCheck')).trim();
  if (enabled !== 'true' && enabled !== 'false') throw new Error(`Stage parameter publicGrantCheck=${JSON.stringify(enabled)} must be "true" or "false"`);
  if (enabled === 'false') return { Resources: {} };
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const bucketPrefix = await resolveVariable('param:bucketPrefix');
  return {
    Resources: {
      TenantBucketPublicGrantsRule: {
        Type: 'AWS::Config::ConfigRule',
        Properties: {
          ConfigRuleName: `${service}-${stage}-tenant-bucket-public-grants`,
          Description: `Tenant buckets (${bucketPrefix}-*) whose policy grants anyone outside the account more than s3:GetObject on pub/*`,
          Scope: { TagKey: 'ManagedBy', TagValue: 'tenant-provisioner' },
          Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_POLICY_NOT_MORE_PERMISSIVE' },
          InputParameters: { controlPolicy: controlPolicy(bucketPrefix) },
        },
      },
    },
  };
};
