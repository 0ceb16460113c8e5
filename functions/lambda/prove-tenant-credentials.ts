import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { proveTenantCredentialsHandler } from '../prove-tenant-credentials';
import { lambdaBase } from '../lib/handler';
import { lambdaRotationSchedule } from '../lib/rotation-schedule';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
// The tenant's clients sign with the tenant's key, so they are made per proof, in the bucket's region.
const { config, logger } = lambdaBase();
const secretsManager = new SecretsManagerClient({});
export const handler = proveTenantCredentialsHandler({
  secretsManager,
  keyRotation: lambdaRotationSchedule(secretsManager, config, true),
  asTenant: (credentials, region) => {
    const sts = new STSClient({ credentials });
    const s3 = new S3Client({ credentials, region });
    return { sts, s3, destroy: () => (sts.destroy(), s3.destroy()) };
  },
  config,
  logger,
});
