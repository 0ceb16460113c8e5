import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ResourceNotFoundException,
  type DescribeSecretResponse,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

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
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  try {
    const held = JSON.parse(secretString ?? 'null') as { accessKeyId?: unknown; bucket?: unknown } | null;
    return { status: 'read', accessKeyId: text(held?.accessKeyId), bucket: text(held?.bucket) };
  } catch {
    return { status: 'read', accessKeyId: undefined, bucket: undefined };
  }
}
