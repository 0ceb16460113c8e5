/**
 * The account-level S3 Block Public Access, which ApplyTenantBucketPolicy reads only to explain
 * an AccessDenied of the tenant's bucket policy. A module of its own, imported only on that
 * path (`await import()`): the Lambda bundle carries S3 Control as a file beside it
 * (deploy/esbuild-plugins.js), so no cold start pays for a client only a refused policy needs.
 */
import { GetPublicAccessBlockCommand, NoSuchPublicAccessBlockConfiguration, S3ControlClient } from '@aws-sdk/client-s3-control';

export { S3ControlClient };

/** Whether the account's Block Public Access forbids public bucket policies (`BlockPublicPolicy`); false when the account has none. */
export async function accountBlockPublicPolicy(s3control: S3ControlClient, accountId: string): Promise<boolean> {
  try {
    const output = await s3control.send(new GetPublicAccessBlockCommand({ AccountId: accountId }));
    return output.PublicAccessBlockConfiguration?.BlockPublicPolicy === true;
  } catch (err) {
    if (err instanceof NoSuchPublicAccessBlockConfiguration) return false;
    throw err;
  }
}
