import { GetBucketTaggingCommand, type S3Client, type Tag } from '@aws-sdk/client-s3';
import { errorName } from './errors';

/** S3 errors meaning "a bucket by that name exists, but not as this account's bucket here". */
export const NOT_OUR_BUCKET_ERRORS: ReadonlySet<string> = new Set(['AccessDenied', 'Forbidden', 'PermanentRedirect']);

/**
 * The tags of this account's bucket `bucket`: undefined when it has none (S3 answers
 * NoSuchTagSet). Any other error (NoSuchBucket, another owner's bucket, …) is thrown.
 */
export async function bucketTagSet(s3: S3Client, bucket: string, expectedBucketOwner: string): Promise<Tag[] | undefined> {
  try {
    return (await s3.send(new GetBucketTaggingCommand({ Bucket: bucket, ExpectedBucketOwner: expectedBucketOwner }))).TagSet;
  } catch (err) {
    if (errorName(err) === 'NoSuchTagSet') return undefined;
    throw err;
  }
}
