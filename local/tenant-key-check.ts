/**
 * AWS's own check of the access key a request is signed with, for local clients that sign as a
 * tenant. The emulator authenticates nothing (docs/architecture.md, Emulator gaps): moto answers a
 * request signed with a deleted or deactivated key as if the key were fine, so locally an old key
 * would never fail. This stand-in asks the emulator's IAM, before each request, whether the key
 * exists and is Active, and otherwise answers as AWS does, with the SDK's own exception classes:
 * S3 `InvalidAccessKeyId`, STS `InvalidClientTokenId` (HTTP 403, neither modelled by the SDK, so
 * `S3ServiceException`/`STSServiceException` with that name, as the SDK deserialises them).
 *
 * What it does not stand in for: the signature (IAM never reveals a key's secret, so a wrong secret
 * still passes locally, where AWS answers SignatureDoesNotMatch), IAM's propagation delay (a new key
 * works and a deactivated one fails at once, where AWS takes seconds), and authorization (policies:
 * iam-simulate proves those).
 */
import { GetAccessKeyLastUsedCommand, IAMClient, NoSuchEntityException, paginateListAccessKeys } from '@aws-sdk/client-iam';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { STSClient, STSServiceException } from '@aws-sdk/client-sts';
import type { InitializeHandler, MetadataBearer } from '@smithy/types';
import type { AsTenant } from '../functions/lib/key-proof';
import { runOutsideFunctions } from './function-scope';

/** What IAM says of an access key: its status, or undefined when no user holds it. */
export type AccessKeyStatus = 'Active' | 'Inactive' | undefined;

/** Asks IAM the status of an access key by its id. */
export type AccessKeyStatusLookup = (accessKeyId: string) => Promise<AccessKeyStatus>;

/**
 * The status IAM holds for `accessKeyId`: the user that holds it (GetAccessKeyLastUsed), then that
 * user's keys (ListAccessKeys). The calls are AWS's own check, not a function's: they run outside
 * any function's scope, so the local checks of what each function's role allows never count them.
 */
export function iamAccessKeyStatus(iam: IAMClient): AccessKeyStatusLookup {
  return (accessKeyId) =>
    runOutsideFunctions(async () => {
      let userName: string | undefined;
      try {
        ({ UserName: userName } = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })));
      } catch (err) {
        // moto answers NoSuchEntity for a key no user holds (deleted, or never issued).
        if (err instanceof NoSuchEntityException) return undefined;
        throw err;
      }
      if (!userName) return undefined;
      try {
        for await (const page of paginateListAccessKeys({ client: iam }, { UserName: userName })) {
          const key = page.AccessKeyMetadata?.find((held) => held.AccessKeyId === accessKeyId);
          if (key) return key.Status === 'Active' ? 'Active' : 'Inactive';
        }
      } catch (err) {
        // The user was deleted since: its keys with it.
        if (err instanceof NoSuchEntityException) return undefined;
        throw err;
      }
      return undefined;
    });
}

const REFUSAL = { $fault: 'client' as const, $metadata: { httpStatusCode: 403 } };

/** What S3 answers a request signed with a key that does not exist or is inactive. */
export function invalidAccessKeyId(): S3ServiceException {
  return new S3ServiceException({ ...REFUSAL, name: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' });
}

/** What STS answers a request signed with a key that does not exist or is inactive. */
export function invalidClientTokenId(): STSServiceException {
  return new STSServiceException({ ...REFUSAL, name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
}

const MIDDLEWARE_NAME = 'localTenantKeyCheck';

/** The part of any SDK v3 client's middleware stack the check needs (S3's and STS's differ only in their types). */
interface MiddlewareStackOfAnyClient {
  add(middleware: (next: InitializeHandler<object, MetadataBearer>) => InitializeHandler<object, MetadataBearer>, options: { step: 'initialize'; name: string; override?: boolean }): void;
}

/**
 * Installs the check on a client that signs with `accessKeyId`: every request first asks `lookup`,
 * and one signed with a key that is not Active is refused before it is sent, as AWS refuses it.
 */
export function withTenantKeyCheck<C extends S3Client | STSClient>(client: C, accessKeyId: string, lookup: AccessKeyStatusLookup): C {
  const refusal = client instanceof S3Client ? invalidAccessKeyId : invalidClientTokenId;
  (client.middlewareStack as unknown as MiddlewareStackOfAnyClient).add(
    (next) => async (args) => {
      if ((await lookup(accessKeyId)) !== 'Active') throw refusal();
      return next(args);
    },
    { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
  );
  return client;
}

/**
 * Clients signing as a tenant against the emulator at `endpoint` (STS in `stsRegion`, the
 * local region), each request checked as AWS checks its key (`lookup`: {@link iamAccessKeyStatus}
 * of an IAM client of the emulator's own). What local mode gives ProveTenantCredentials, the
 * rotation's testSecret and the demo.
 */
export function localTenantClients(endpoint: string, stsRegion: string, lookup: AccessKeyStatusLookup): AsTenant {
  return (key, region) => {
    const credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    const sts = withTenantKeyCheck(new STSClient({ endpoint, region: stsRegion, credentials }), key.accessKeyId, lookup);
    const s3 = withTenantKeyCheck(new S3Client({ endpoint, region, credentials, forcePathStyle: true }), key.accessKeyId, lookup);
    return { sts, s3, destroy: () => (sts.destroy(), s3.destroy()) };
  };
}
