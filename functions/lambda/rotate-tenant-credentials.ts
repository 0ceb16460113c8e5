import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { lambdaBase } from '../lib/handler';
import { rotateTenantCredentialsHandler } from '../rotate-tenant-credentials';

// The Lambda entry serverless.yml names; Secrets Manager invokes it, once per rotation step. The
// clients that sign with the tenant's new key are made per test, in the bucket's region.
const { config, logger } = lambdaBase();
export const handler = rotateTenantCredentialsHandler({
  iam: new IAMClient({}),
  secretsManager: new SecretsManagerClient({}),
  eventBridge: new EventBridgeClient({}),
  asTenant: (credentials, region) => {
    const sts = new STSClient({ credentials });
    const s3 = new S3Client({ credentials, region });
    return { sts, s3, destroy: () => (sts.destroy(), s3.destroy()) };
  },
  config,
  logger,
});
