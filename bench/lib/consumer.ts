/**
 * A consumer of OrgProvisioned, as a tenant's application would be one: it takes the events the
 * workflows emitted (`pipeline.events()`, the bus → queue rule of the local stack) every
 * {@link POLL_MS}, reads the tenant's secret with its own (operator-side) client, and makes one
 * request to the tenant's bucket with the key in it, retrying a refused key every
 * {@link RETRY_MS} until a request succeeds. The moment it does is when the tenant is usable.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseTenantSecret } from '../../functions/lib/tenant-secret';
import type { OrgProvisionedDetail } from '../../functions/lib/publish';
import type { LocalPipeline } from '../../local/pipeline';
import { errorName } from '../../functions/lib/errors';
import type { FaultLayer } from './fault-layer';

export const POLL_MS = 250;
export const RETRY_MS = 250;
/** How long the consumer keeps trying a key before it gives up on the tenant. */
const GIVE_UP_MS = 120_000;
/** What a request with a key AWS does not know yet is answered (S3, STS), and S3's answer while a policy propagates. */
const NOT_YET = new Set(['InvalidAccessKeyId', 'InvalidClientTokenId', 'AccessDenied']);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface TenantUse {
  orgId: string;
  /** Epoch ms: the event received, the secret read, the first request that succeeded. */
  eventAt: number;
  secretReadAt?: number;
  usableAt?: number;
  accessKeyId?: string;
  userArn: string;
  /** Requests the consumer's key was refused before one succeeded. */
  refusals: number;
  firstRefusalAt?: number;
  /** Why the consumer gave up, if it did. */
  failure?: string;
}

export class TenantConsumer {
  readonly uses = new Map<string, TenantUse>();
  private readonly pending = new Set<Promise<void>>();
  private polling = false;
  private poller: Promise<void> | undefined;

  constructor(
    private readonly pipeline: Pick<LocalPipeline, 'events'>,
    private readonly secretsManager: SecretsManagerClient,
    private readonly endpoint: string,
    private readonly layer: FaultLayer,
  ) {}

  /** Starts taking events; OrgProvisioned of any org in `orgIds` starts that tenant's use. */
  start(orgIds: Iterable<string>): void {
    const watched = new Set(orgIds);
    this.polling = true;
    this.poller = (async () => {
      while (this.polling) {
        for (const event of await this.pipeline.events()) {
          const detail = event.detail as unknown as OrgProvisionedDetail;
          if (event['detail-type'] !== 'OrgProvisioned' || !watched.has(detail.orgId) || this.uses.has(detail.orgId)) continue;
          const use: TenantUse = { orgId: detail.orgId, eventAt: Date.now(), userArn: detail.user.arn, refusals: 0 };
          this.uses.set(detail.orgId, use);
          const work = this.use(use, detail);
          this.pending.add(work);
          void work.finally(() => this.pending.delete(work));
        }
        await sleep(POLL_MS);
      }
    })();
  }

  /** Resolves once `orgIds` are all usable (or given up on), or `timeoutMs` passed. */
  async until(orgIds: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const done = () => orgIds.every((id) => this.uses.get(id)?.usableAt !== undefined || this.uses.get(id)?.failure !== undefined);
    while (!done() && Date.now() < deadline) await sleep(POLL_MS);
  }

  async stop(): Promise<void> {
    this.polling = false;
    await this.poller;
    await Promise.all([...this.pending]);
  }

  private async use(use: TenantUse, detail: OrgProvisionedDetail): Promise<void> {
    let s3: S3Client | undefined;
    try {
      const { SecretString } = await this.secretsManager.send(new GetSecretValueCommand({ SecretId: detail.credentials.secretArn }));
      const secret = parseTenantSecret(SecretString);
      if (!secret) throw new Error('the secret holds no tenant credentials');
      use.secretReadAt = Date.now();
      use.accessKeyId = secret.accessKeyId;
      s3 = new S3Client({
        endpoint: this.endpoint,
        region: secret.region || detail.bucket.region,
        forcePathStyle: true,
        credentials: { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey },
        // The consumer's own loop is the retry: every refusal is counted and timed.
        maxAttempts: 1,
      });
      this.layer.attach(s3);
      const giveUpAt = Date.now() + GIVE_UP_MS;
      for (;;) {
        try {
          await s3.send(new ListObjectsV2Command({ Bucket: secret.bucket, Prefix: secret.prefix ?? '', MaxKeys: 1 }));
          use.usableAt = Date.now();
          return;
        } catch (err) {
          if (!NOT_YET.has(errorName(err) ?? '') || Date.now() > giveUpAt) throw err;
          use.refusals += 1;
          use.firstRefusalAt ??= Date.now();
          await sleep(RETRY_MS);
        }
      }
    } catch (err) {
      use.failure = `${errorName(err) ?? 'Error'}: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      s3?.destroy();
    }
  }
}
