import { S3Client } from '@aws-sdk/client-s3';

const s3ByRegion = new Map<string, S3Client>();

/** The S3 client for a tenant bucket's region (a bucket is addressed in its own region). */
export function s3For(region: string): S3Client {
  let client = s3ByRegion.get(region);
  if (!client) {
    client = new S3Client({ region, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
    s3ByRegion.set(region, client);
  }
  return client;
}
