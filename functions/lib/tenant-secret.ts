import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ResourceNotFoundException,
  type DescribeSecretResponse,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/**
 * What a tenant secret holds: the one owner of its JSON payload. IssueTenantCredentials writes it;
 * tenantctl credentials, the demo and the steps that check which key it holds read it.
 */
export interface TenantSecret {
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  /** A prefix tenant's prefix of the shared bucket `bucket` (ends with `/`); absent for a bucket tenant. */
  prefix?: string;
  region: string;
  userName?: string;
}

/** The secret's value as IssueTenantCredentials stores it. */
export function tenantSecretString(secret: TenantSecret): string {
  return JSON.stringify({
    accessKeyId: secret.accessKeyId,
    secretAccessKey: secret.secretAccessKey,
    bucket: secret.bucket,
    ...(secret.prefix === undefined ? {} : { prefix: secret.prefix }),
    region: secret.region,
    ...(secret.userName === undefined ? {} : { userName: secret.userName }),
  });
}

/**
 * The secret's value read back, or undefined when it does not hold a tenant's credentials
 * (accessKeyId, secretAccessKey, bucket). Never lets the value out: JSON.parse's message would
 * quote its input, so a parse error is swallowed.
 */
export function parseTenantSecret(text: string | undefined): TenantSecret | undefined {
  let value: Record<string, unknown> | null = null;
  try {
    value = JSON.parse(text ?? 'null') as Record<string, unknown> | null;
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { accessKeyId, secretAccessKey, bucket, prefix, region, userName } = value;
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || typeof bucket !== 'string') return undefined;
  return {
    accessKeyId,
    secretAccessKey,
    bucket,
    ...(typeof prefix === 'string' ? { prefix } : {}),
    region: typeof region === 'string' ? region : '',
    ...(typeof userName === 'string' ? { userName } : {}),
  };
}

/** A secret access key as operators may see it: its first 4 characters, then one `*` per hidden one. */
export function maskSecretKey(secretAccessKey: string): string {
  return `${secretAccessKey.slice(0, 4)}${'*'.repeat(Math.max(secretAccessKey.length - 4, 0))}`;
}

/** The tenant secret's metadata (ARN, tags, DeletedDate), or undefined when there is no such secret. */
export async function describeSecret(client: SecretsManagerClient, secretName: string): Promise<DescribeSecretResponse | undefined> {
  try {
    return await client.send(new DescribeSecretCommand({ SecretId: secretName }));
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

/** What reading the tenant secret's value found out about the access key it holds. */
export type HeldAccessKey =
  /** The value was read; `accessKeyId`/`bucket` are undefined when it holds none. */
  | { status: 'read'; accessKeyId: string | undefined; bucket: string | undefined }
  /** The secret, or any value of it, is gone. */
  | { status: 'missing'; error: ResourceNotFoundException }
  /** The secret is scheduled for deletion: its value cannot be read. */
  | { status: 'scheduled-for-deletion'; error: InvalidRequestException };

/**
 * Reads which access key id (and bucket) the tenant secret holds. Never lets the value out:
 * JSON.parse's message would quote its input, so a parse error is swallowed.
 */
export async function readHeldAccessKey(client: SecretsManagerClient, secretName: string): Promise<HeldAccessKey> {
  let secretString: string | undefined;
  try {
    ({ SecretString: secretString } = await client.send(new GetSecretValueCommand({ SecretId: secretName })));
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return { status: 'missing', error: err };
    if (err instanceof InvalidRequestException) return { status: 'scheduled-for-deletion', error: err };
    throw err;
  }
  // Leniently: a value that names only its key (or only its bucket) still says which key it holds.
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  try {
    const held = JSON.parse(secretString ?? 'null') as Partial<Record<keyof TenantSecret, unknown>> | null;
    return { status: 'read', accessKeyId: text(held?.accessKeyId), bucket: text(held?.bucket) };
  } catch {
    return { status: 'read', accessKeyId: undefined, bucket: undefined };
  }
}
