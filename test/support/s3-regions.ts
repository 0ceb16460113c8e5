/**
 * Emulator fidelity for S3 regions. On AWS a bucket lives in one region: a request sent to
 * another region's endpoint is answered `301 PermanentRedirect` ("The bucket you are attempting
 * to access must be addressed using the specified endpoint"), which the SDK surfaces as an error
 * — functions/lib/bucket-tags.ts counts it among the "not our bucket" answers. moto serves every
 * bucket from every region. This middleware, on the functions' own S3 clients, answers as AWS
 * does when a client's region is not the bucket's (read once per bucket with an operator client).
 */
import { GetBucketLocationCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { InitializeHandler, InitializeHandlerArguments, MetadataBearer } from '@smithy/types';
import { runOutsideFunctions } from '../../local/function-scope';

const MIDDLEWARE_NAME = 'emulateS3BucketRegions';
/** Operations that are not addressed to one existing bucket. */
const NOT_BUCKET_ADDRESSED = new Set(['CreateBucketCommand', 'ListBucketsCommand']);

export interface S3RegionFidelity {
  /** Calls answered 301 PermanentRedirect: `<client region> <command> <bucket>`. */
  readonly redirected: readonly string[];
  uninstall(): void;
}

export function installS3RegionFidelity(clients: S3Client[], operator: S3Client): S3RegionFidelity {
  const regionOf = new Map<string, string | undefined>();
  const redirected: string[] = [];

  async function bucketRegion(bucket: string): Promise<string | undefined> {
    if (!regionOf.has(bucket)) {
      try {
        // S3's own knowledge, not a call of the function whose request this is.
        const { LocationConstraint } = await runOutsideFunctions(() => operator.send(new GetBucketLocationCommand({ Bucket: bucket })));
        // An empty LocationConstraint is us-east-1 (GetBucketLocation's documented answer).
        regionOf.set(bucket, LocationConstraint || 'us-east-1');
      } catch {
        return undefined; // no such bucket: let the emulator answer
      }
    }
    return regionOf.get(bucket);
  }

  for (const client of clients) {
    client.middlewareStack.add(
      <Output extends MetadataBearer>(next: InitializeHandler<object, Output>, context: { commandName?: string }) =>
        async (args: InitializeHandlerArguments<object>) => {
          const bucket = (args.input as { Bucket?: string }).Bucket;
          if (bucket && !NOT_BUCKET_ADDRESSED.has(context.commandName ?? '')) {
            const [clientRegion, region] = await Promise.all([client.config.region(), bucketRegion(bucket)]);
            if (region && region !== clientRegion) {
              redirected.push(`${clientRegion} ${context.commandName ?? ''} ${bucket}`);
              throw new S3ServiceException({
                name: 'PermanentRedirect',
                $fault: 'client',
                $metadata: { httpStatusCode: 301, requestId: 'emulated-region' },
                message: 'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
              });
            }
          }
          return next(args);
        },
      { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
    );
  }
  return {
    redirected,
    uninstall() {
      for (const client of clients) client.middlewareStack.remove(MIDDLEWARE_NAME);
    },
  };
}
