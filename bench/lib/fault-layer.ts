/**
 * A model of what AWS does that the emulator does not, as SDK middleware on real clients
 * (bench/README.md, "The fault layer", has the sources of every figure):
 *
 * - **latency**: each HTTP attempt waits its operation's round trip from {@link LATENCY_MS}
 *   before it is sent (or refused);
 * - **IAM eventual consistency**: the layer remembers when a `CreateUser` or `CreateAccessKey`
 *   answer passed through it; for `propagationMs` after that, S3 refuses a `PutBucketPolicy`
 *   whose `Principal.AWS` names the new user (`MalformedPolicy` "Invalid principal in policy"),
 *   and S3 and STS refuse requests signed with the new key (`InvalidAccessKeyId`,
 *   `InvalidClientTokenId`);
 * - **IAM's rate limit**: IAM writes draw from a token bucket of `iamWritesPerSecond` tokens a
 *   second; a write that finds it empty is answered `Throttling` "Rate exceeded".
 *
 * Refusals are real HTTP responses, made below the SDK's deserializer (the `deserialize` step,
 * low priority), so the SDK parses them into its own exception classes and its retry strategy
 * sees a throttle exactly as it would on AWS. The layer is off until {@link FaultLayer.enable}.
 */
import { randomUUID } from 'node:crypto';
import type { FunctionClients } from '../../functions/registry';
import type { S3ForRegion } from '../../functions/lib/s3-clients';
import { operationName, type CountableClient } from './api-counter';

/**
 * Round trip of one request, in ms, by `Service.Operation` or `Service.*`, from a Lambda in the
 * same Region. Cited where a figure is published; the others are assumptions, labelled so in
 * bench/README.md ("Latency table").
 */
export const LATENCY_MS: Record<string, number> = {
  // S3: "small requests (for example, less than 512 KB), where median latencies are often in the tens of
  // milliseconds" (Amazon S3 performance whitepaper, Timeouts and Retries for Latency-Sensitive Applications).
  'S3.*': 30,
  // Bucket configuration goes through S3's control plane: assumed slower, 100 ms.
  'S3.CreateBucket': 100,
  'S3.PutBucketPolicy': 100,
  'S3.PutPublicAccessBlock': 100,
  'S3.PutBucketTagging': 100,
  'S3.PutBucketEncryption': 100,
  'S3Control.*': 100,
  // IAM is a global service served from us-east-1: assumed 150 ms a write, 80 ms a read.
  'IAM.*': 150,
  'IAM.GetUser': 80,
  'IAM.ListAccessKeys': 80,
  'IAM.ListUserTags': 80,
  // STS (regional endpoint): assumed 30 ms.
  'STS.*': 30,
  // Secrets Manager: assumed 100 ms to create or change a secret, 30 ms to read one.
  'SecretsManager.*': 100,
  'SecretsManager.GetSecretValue': 30,
  'SecretsManager.DescribeSecret': 30,
  // DynamoDB: "single-digit millisecond performance at any scale" (Amazon DynamoDB Developer Guide, What is DynamoDB): 10 ms with the client's own work.
  'DynamoDB.*': 10,
  // EventBridge PutEvents: assumed 50 ms.
  'EventBridge.*': 50,
  'SQS.*': 20,
};

/** The latency of `operation` (`S3.CreateBucket`) from `table`: its own entry, else its service's, else 0. */
export function latencyOf(operation: string, table: Record<string, number> = LATENCY_MS): number {
  return table[operation] ?? table[`${operation.split('.')[0]}.*`] ?? 0;
}

/** IAM's mutating operations: the ones the rate limit of IAM writes applies to. */
export function isIamWrite(operation: string): boolean {
  const [service, name = ''] = operation.split('.');
  return service === 'IAM' && !/^(Get|List|Simulate|Generate|Search)/.test(name);
}

/**
 * A token bucket of `ratePerSecond` tokens a second holding at most `capacity` (default one
 * second's worth), full at the start: IAM and STS throttle this way ("a bucket of virtual tokens is
 * refilled every second", AWS Support quoted in hashicorp/terraform-provider-aws#44853).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity = ratePerSecond,
    now = 0,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes a token at `now` (ms); false when the bucket is empty. */
  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The ARNs a bucket policy names as `Principal.AWS` (a string or a list, in any statement). */
export function policyPrincipalArns(policy: string | undefined): string[] {
  let document: { Statement?: unknown } | undefined;
  try {
    document = JSON.parse(policy ?? '') as { Statement?: unknown };
  } catch {
    return [];
  }
  const statements = Array.isArray(document?.Statement) ? document.Statement : document?.Statement ? [document.Statement] : [];
  const arns: string[] = [];
  for (const statement of statements as { Principal?: unknown }[]) {
    const principal = statement?.Principal;
    if (!principal || typeof principal !== 'object') continue;
    const aws = (principal as { AWS?: unknown }).AWS;
    for (const arn of Array.isArray(aws) ? aws : [aws]) if (typeof arn === 'string') arns.push(arn);
  }
  return arns;
}

/** The access key id a SigV4 `Authorization` header was signed with. */
export function signingKeyOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

/** When each new principal or key was made, and whether it is usable yet. */
export class PropagationClock {
  private readonly createdAt = new Map<string, number>();

  constructor(readonly propagationMs: number) {}

  created(id: string, at: number): void {
    if (!this.createdAt.has(id)) this.createdAt.set(id, at);
  }

  /** Milliseconds until `id` is visible everywhere; 0 when it is, or was never seen being created (older than the layer). */
  remainingMs(id: string, now: number): number {
    const at = this.createdAt.get(id);
    return at === undefined ? 0 : Math.max(0, at + this.propagationMs - now);
  }

  createdAtOf(id: string): number | undefined {
    return this.createdAt.get(id);
  }

  clear(): void {
    this.createdAt.clear();
  }
}

/** A raw HTTP answer, as the SDK's deserializers read one. */
export interface RawResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

function xml(statusCode: number, body: string, headers: Record<string, string> = {}): RawResponse {
  return { statusCode, headers: { 'content-type': 'text/xml', ...headers }, body: new TextEncoder().encode(body) };
}

/** IAM's throttle, as IAM answers it (HTTP 400, awsQuery; the body quoted in legion-platform/legion#807). */
export function iamThrottleResponse(requestId = randomUUID()): RawResponse {
  return xml(
    400,
    `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    { 'x-amzn-requestid': requestId },
  );
}

/** S3's refusal of a bucket policy naming a principal it does not know yet (aws/aws-sdk-java-v2#1946: HTTP 400). */
export function invalidPrincipalResponse(requestId = randomUUID()): RawResponse {
  return xml(
    400,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>MalformedPolicy</Code><Message>Invalid principal in policy</Message><RequestId>${requestId}</RequestId><HostId>fault-layer</HostId></Error>`,
    { 'x-amz-request-id': requestId },
  );
}

/**
 * A request signed with a key the service does not know yet: S3's `InvalidAccessKeyId` (HTTP 403;
 * a HEAD request gets no body, as from S3), STS's (and other query services') `InvalidClientTokenId`.
 */
export function unknownKeyResponse(service: string, accessKeyId: string, method = 'GET', requestId = randomUUID()): RawResponse {
  if (service === 'S3') {
    if (method === 'HEAD') return { statusCode: 403, headers: { 'x-amz-request-id': requestId }, body: new Uint8Array() };
    return xml(
      403,
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message><AWSAccessKeyId>${accessKeyId}</AWSAccessKeyId><RequestId>${requestId}</RequestId><HostId>fault-layer</HostId></Error>`,
      { 'x-amz-request-id': requestId },
    );
  }
  return xml(
    403,
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    { 'x-amzn-requestid': requestId },
  );
}

export type RefusalKind = 'throttle' | 'principal' | 'key';

export interface Refusal {
  at: number;
  kind: RefusalKind;
  operation: string;
  /** The key id, the principal ARN, or (throttles) the operation. */
  subject: string;
}

export interface FaultLayerOptions {
  /** How long a new IAM user or access key stays unknown to S3 and STS (default 8,000 ms). */
  propagationMs?: number;
  /** IAM writes a second before IAM throttles (default 10). */
  iamWritesPerSecond?: number;
  latencyMs?: Record<string, number>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_PROPAGATION_MS = 8_000;
export const DEFAULT_IAM_WRITES_PER_SECOND = 10;

const LAYER_INITIALIZE = 'benchFaultLayerCreations';
const LAYER_DESERIALIZE = 'benchFaultLayer';

interface Stack {
  add(middleware: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>, options: { step: string; name: string; priority?: string }): void;
  remove(name: string): boolean;
}

/** What the layer needs of an SDK request at the deserialize step. */
interface RequestArgs {
  input?: { Policy?: string };
  request?: { method?: string; headers?: Record<string, string> };
}

/** The tenant-credential clients the functions get (issue 17 item 3: ProveTenantCredentials), when the registry has them. */
type AsTenant = (...args: unknown[]) => { sts?: unknown; s3?: unknown; s3For?: S3ForRegion };

export class FaultLayer {
  readonly propagation: PropagationClock;
  readonly iamWritesPerSecond: number;
  private bucket: TokenBucket;
  private readonly latencyMs: Record<string, number>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private enabled = false;
  private readonly attached = new WeakSet<object>();
  /** Every refusal answered since the last reset. */
  refusals: Refusal[] = [];
  /** When a request signed with each key, or a policy naming each principal, was first accepted. */
  readonly firstAcceptedAt = new Map<string, number>();
  /** HTTP attempts that reached the layer (refused ones included), by operation, since the last reset. */
  attempts = new Map<string, number>();

  constructor(options: FaultLayerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.propagation = new PropagationClock(options.propagationMs ?? DEFAULT_PROPAGATION_MS);
    this.iamWritesPerSecond = options.iamWritesPerSecond ?? DEFAULT_IAM_WRITES_PER_SECOND;
    this.bucket = new TokenBucket(this.iamWritesPerSecond, this.iamWritesPerSecond, this.now());
    this.latencyMs = options.latencyMs ?? LATENCY_MS;
  }

  get propagationMs(): number {
    return this.propagation.propagationMs;
  }

  /** Turns the model on (from a full token bucket) or off (every request passes untouched). */
  enable(on = true): void {
    this.enabled = on;
    this.bucket = new TokenBucket(this.iamWritesPerSecond, this.iamWritesPerSecond, this.now());
  }

  /** Forgets refusals, acceptances, attempts and creations. */
  reset(): void {
    this.refusals = [];
    this.firstAcceptedAt.clear();
    this.attempts = new Map();
    this.propagation.clear();
    this.bucket = new TokenBucket(this.iamWritesPerSecond, this.iamWritesPerSecond, this.now());
  }

  count(kind: RefusalKind): number {
    return this.refusals.filter((r) => r.kind === kind).length;
  }

  /** Adds the layer to each client (once per client). */
  attach(...clients: unknown[]): void {
    for (const client of clients) {
      if (!client || this.attached.has(client as object)) continue;
      this.attached.add(client as object);
      const stack = (client as CountableClient).middlewareStack as unknown as Stack;
      stack.add((next, context) => (args) => this.remember(operationName(context.clientName, context.commandName), next(args)), {
        step: 'initialize',
        name: LAYER_INITIALIZE,
        priority: 'high',
      });
      stack.add((next, context) => (args) => this.answer(operationName(context.clientName, context.commandName), args as RequestArgs, next), {
        step: 'deserialize',
        name: LAYER_DESERIALIZE,
        priority: 'low',
      });
    }
  }

  /**
   * `clients` with the layer on each, on every S3 client `s3For` makes, and on the tenant-credential
   * clients `asTenant` makes; `onTenantClient` is also given each of those (the bench counts their calls).
   */
  wrapFunctionClients<C extends FunctionClients>(clients: C, onTenantClient: (client: unknown) => void = () => undefined): C {
    this.attach(clients.iam, clients.s3control, clients.secretsManager, clients.eventBridge, clients.dynamodb);
    const wrapped: C = { ...clients, s3For: this.wrapS3For(clients.s3For) };
    const asTenant = (clients as { asTenant?: AsTenant }).asTenant;
    if (typeof asTenant === 'function') {
      (wrapped as { asTenant?: AsTenant }).asTenant = (...args) => {
        const tenant = asTenant(...args);
        for (const client of [tenant.sts, tenant.s3]) {
          if (!client) continue;
          this.attach(client);
          onTenantClient(client);
        }
        return tenant.s3For ? { ...tenant, s3For: this.wrapS3For(tenant.s3For, onTenantClient) } : tenant;
      };
    }
    return wrapped;
  }

  wrapS3For(s3For: S3ForRegion, onClient: (client: unknown) => void = () => undefined): S3ForRegion {
    return (region) => {
      const client = s3For(region);
      if (!this.attached.has(client)) onClient(client);
      this.attach(client);
      return client;
    };
  }

  private async remember(operation: string, result: Promise<unknown>): Promise<unknown> {
    const output = (await result) as { output?: { User?: { Arn?: string }; AccessKey?: { AccessKeyId?: string } } };
    if (this.enabled) {
      if (operation === 'IAM.CreateUser' && output.output?.User?.Arn) this.propagation.created(output.output.User.Arn, this.now());
      if (operation === 'IAM.CreateAccessKey' && output.output?.AccessKey?.AccessKeyId) this.propagation.created(output.output.AccessKey.AccessKeyId, this.now());
    }
    return output;
  }

  private async answer(operation: string, args: RequestArgs, next: (args: unknown) => Promise<unknown>): Promise<unknown> {
    if (!this.enabled) return next(args);
    this.attempts.set(operation, (this.attempts.get(operation) ?? 0) + 1);
    const latency = latencyOf(operation, this.latencyMs);
    if (latency > 0) await this.sleep(latency);
    const now = this.now();
    const service = operation.split('.')[0] ?? '';
    const refuse = (kind: RefusalKind, subject: string, response: RawResponse) => {
      this.refusals.push({ at: now, kind, operation, subject });
      return { response, output: undefined };
    };
    if (isIamWrite(operation) && !this.bucket.take(now)) return refuse('throttle', operation, iamThrottleResponse());
    const key = signingKeyOf(args.request?.headers?.authorization ?? args.request?.headers?.Authorization);
    if (key && this.propagation.remainingMs(key, now) > 0) return refuse('key', key, unknownKeyResponse(service, key, args.request?.method));
    if (operation === 'S3.PutBucketPolicy') {
      const principals = policyPrincipalArns(args.input?.Policy);
      const unknown = principals.find((arn) => this.propagation.remainingMs(arn, now) > 0);
      if (unknown) return refuse('principal', unknown, invalidPrincipalResponse());
      for (const arn of principals) if (this.propagation.createdAtOf(arn) !== undefined && !this.firstAcceptedAt.has(arn)) this.firstAcceptedAt.set(arn, now);
    }
    if (key && this.propagation.createdAtOf(key) !== undefined && !this.firstAcceptedAt.has(key)) this.firstAcceptedAt.set(key, now);
    return next(args);
  }
}
