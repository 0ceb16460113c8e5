import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { AsTenant } from './key-proof';

/**
 * A Lambda entry's clients that sign as the tenant: the SDK's own, with the tenant's key, made per
 * proof in the region of the tenant's bucket and destroyed after it (ProveTenantCredentials and
 * the rotation's testSecret).
 */
export const lambdaTenantClients: AsTenant = (credentials, region) => {
  const sts = new STSClient({ credentials });
  const s3 = new S3Client({ credentials, region });
  return { sts, s3, destroy: () => (sts.destroy(), s3.destroy()) };
};
