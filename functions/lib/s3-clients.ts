import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** The S3 client for a tenant bucket's region (a bucket is addressed in its own region). */
export type S3ForRegion = (region: string) => S3Client;

/**
 * One S3 client per region, each made on first use with `base`. The default, a Lambda's: the
 * standard AWS settings, path-style only when an endpoint (an emulator's) is set.
 */
export function s3ClientsByRegion(base: Omit<S3ClientConfig, 'region'> = { forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }): S3ForRegion {
  const clients = new Map<string, S3Client>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = new S3Client({ ...base, region });
      clients.set(region, client);
    }
    return client;
  };
}
