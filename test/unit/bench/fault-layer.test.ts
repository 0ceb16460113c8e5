import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { ListObjectsV2Command, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  FaultLayer,
  isIamWrite,
  latencyOf,
  policyPrincipalArns,
  PropagationClock,
  signingKeyOf,
  TokenBucket,
} from '../../../bench/lib/fault-layer';

const USER_ARN = 'arn:aws:iam::123456789012:user/tenants/rms_acme';
const KEY_ID = 'AKIAFAULTLAYERTEST01';
/** Nothing listens here: a request the layer lets through would fail with a connection error, never reach a service. */
const NOWHERE = 'http://127.0.0.1:9';

/** A layer on a clock the test moves, that never sleeps. */
function layerAt(start = 1_000_000, options: { iamWritesPerSecond?: number } = {}) {
  const clock = { now: start };
  const layer = new FaultLayer({ now: () => clock.now, sleep: async () => undefined, propagationMs: 8_000, ...options });
  layer.enable();
  return { layer, clock };
}

/** Answers the service's success XML below the layer, as the service would (the layer sees the real SDK output at `initialize`). */
function answerBelow(client: { middlewareStack: { add: (...args: never[]) => void } }, body: string): void {
  const add = client.middlewareStack.add as unknown as (middleware: () => () => Promise<unknown>, options: object) => void;
  add(
    () => async () => ({ response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: new TextEncoder().encode(body) } }),
    { step: 'deserialize', name: 'answerBelow', priority: 'low' },
  );
}

const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'secret' });

describe('TokenBucket', () => {
  it('lets a full second of writes through, then refills at its rate', () => {
    const bucket = new TokenBucket(10, 10, 0);
    const first = Array.from({ length: 11 }, () => bucket.take(0));
    expect(first.filter(Boolean)).toHaveLength(10);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
  });

  it('never holds more than its capacity after a long pause', () => {
    const bucket = new TokenBucket(10, 10, 0);
    expect(Array.from({ length: 20 }, () => bucket.take(60_000)).filter(Boolean)).toHaveLength(10);
  });
});

describe('policyPrincipalArns', () => {
  it('finds Principal.AWS as a string or a list in every statement', () => {
    const policy = JSON.stringify({
      Statement: [
        { Principal: '*', Action: 's3:GetObject' },
        { Principal: { AWS: USER_ARN } },
        { Principal: { AWS: ['arn:aws:iam::123456789012:root', USER_ARN] } },
      ],
    });
    expect(policyPrincipalArns(policy)).toEqual([USER_ARN, 'arn:aws:iam::123456789012:root', USER_ARN]);
  });

  it('names no principal for Principal "*" with an aws:PrincipalArn condition, or for a document it cannot read', () => {
    const policy = JSON.stringify({ Statement: [{ Principal: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': USER_ARN } } }] });
    expect(policyPrincipalArns(policy)).toEqual([]);
    expect(policyPrincipalArns('not json')).toEqual([]);
  });
});

describe('signingKeyOf', () => {
  it('reads the access key id of a SigV4 Authorization header', () => {
    expect(signingKeyOf(`AWS4-HMAC-SHA256 Credential=${KEY_ID}/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc`)).toBe(KEY_ID);
    expect(signingKeyOf(undefined)).toBeUndefined();
  });
});

describe('isIamWrite and latencyOf', () => {
  it('counts IAM mutations as writes and its reads not', () => {
    expect(['IAM.CreateUser', 'IAM.CreateAccessKey', 'IAM.TagUser', 'IAM.DeleteUser', 'IAM.DeleteAccessKey'].every(isIamWrite)).toBe(true);
    expect(['IAM.GetUser', 'IAM.ListAccessKeys', 'S3.PutBucketPolicy'].some(isIamWrite)).toBe(false);
  });

  it("takes an operation's own latency, else its service's, else none", () => {
    const table = { 'S3.*': 30, 'S3.CreateBucket': 100 };
    expect(latencyOf('S3.CreateBucket', table)).toBe(100);
    expect(latencyOf('S3.GetObject', table)).toBe(30);
    expect(latencyOf('SQS.SendMessage', table)).toBe(0);
  });
});

describe('PropagationClock', () => {
  it('holds a new principal back for the propagation time, and one it never saw made not at all', () => {
    const clock = new PropagationClock(8_000);
    clock.created(USER_ARN, 1_000);
    expect(clock.remainingMs(USER_ARN, 1_000)).toBe(8_000);
    expect(clock.remainingMs(USER_ARN, 8_999)).toBe(1);
    expect(clock.remainingMs(USER_ARN, 9_000)).toBe(0);
    expect(clock.remainingMs('arn:aws:iam::123456789012:user/other', 1_000)).toBe(0);
  });
});

describe('FaultLayer', () => {
  it('answers IAM writes over the rate with the Throttling error the SDK deserialises, and counts each', async () => {
    const { layer } = layerAt(1_000_000, { iamWritesPerSecond: 1 });
    const iam = new IAMClient({ endpoint: NOWHERE, region: 'us-east-1', credentials: credentials('AKIAOPERATOR'), maxAttempts: 1 });
    layer.attach(iam);
    answerBelow(iam, `<CreateUserResponse><CreateUserResult><User><Path>/tenants/</Path><UserName>rms_acme</UserName><UserId>AIDA1</UserId><Arn>${USER_ARN}</Arn><CreateDate>2026-12-03T00:00:00Z</CreateDate></User></CreateUserResult></CreateUserResponse>`);

    await iam.send(new CreateUserCommand({ UserName: 'rms_acme' }));
    const throttled = await iam.send(new CreateUserCommand({ UserName: 'rms_other' })).catch((err: unknown) => err);

    expect(throttled).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    expect(layer.count('throttle')).toBe(1);
    // Reads are not IAM writes: never throttled.
    await expect(iam.send(new ListUsersCommand({}))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(layer.count('throttle')).toBe(1);
  });

  it('lets the SDK retry a throttle as it would on AWS (its own attempts, below its retry strategy)', async () => {
    const { layer } = layerAt(1_000_000, { iamWritesPerSecond: 1 });
    const iam = new IAMClient({ endpoint: NOWHERE, region: 'us-east-1', credentials: credentials('AKIAOPERATOR'), maxAttempts: 2 });
    layer.attach(iam);
    answerBelow(iam, `<CreateUserResponse><CreateUserResult><User><Path>/</Path><UserName>u</UserName><UserId>A</UserId><Arn>${USER_ARN}</Arn><CreateDate>2026-12-03T00:00:00Z</CreateDate></User></CreateUserResult></CreateUserResponse>`);
    await iam.send(new CreateUserCommand({ UserName: 'u' }));

    const err = (await iam.send(new CreateUserCommand({ UserName: 'v' })).catch((e: unknown) => e)) as { $metadata: { attempts: number } };

    expect(err.$metadata.attempts).toBe(2);
    expect(layer.count('throttle')).toBe(2);
  });

  it("refuses a bucket policy naming a user younger than the propagation time as S3 does, and accepts it after", async () => {
    const { layer, clock } = layerAt();
    const iam = new IAMClient({ endpoint: NOWHERE, region: 'us-east-1', credentials: credentials('AKIAOPERATOR') });
    const s3 = new S3Client({ endpoint: NOWHERE, region: 'us-east-1', forcePathStyle: true, credentials: credentials('AKIAOPERATOR'), maxAttempts: 1 });
    layer.attach(iam, s3);
    answerBelow(iam, `<CreateUserResponse><CreateUserResult><User><Path>/tenants/</Path><UserName>rms_acme</UserName><UserId>AIDA1</UserId><Arn>${USER_ARN}</Arn><CreateDate>2026-12-03T00:00:00Z</CreateDate></User></CreateUserResult></CreateUserResponse>`);
    answerBelow(s3, '');
    await iam.send(new CreateUserCommand({ UserName: 'rms_acme' }));
    const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: USER_ARN }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });

    clock.now += 7_999;
    const refused = await s3.send(new PutBucketPolicyCommand({ Bucket: 'b', Policy: policy })).catch((err: unknown) => err);
    clock.now += 1;
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'b', Policy: policy }));

    expect(refused).toMatchObject({ name: 'MalformedPolicy', message: 'Invalid principal in policy', $metadata: { httpStatusCode: 400 } });
    expect(layer.refusals).toEqual([expect.objectContaining({ kind: 'principal', subject: USER_ARN, operation: 'S3.PutBucketPolicy' })]);
    expect(layer.firstAcceptedAt.get(USER_ARN)).toBe(clock.now);
  });

  it('refuses requests signed with a new key, S3 with InvalidAccessKeyId and STS with InvalidClientTokenId, until it has propagated', async () => {
    const { layer, clock } = layerAt();
    const iam = new IAMClient({ endpoint: NOWHERE, region: 'us-east-1', credentials: credentials('AKIAOPERATOR') });
    layer.attach(iam);
    answerBelow(iam, `<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><UserName>rms_acme</UserName><AccessKeyId>${KEY_ID}</AccessKeyId><Status>Active</Status><SecretAccessKey>s</SecretAccessKey></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>`);
    await iam.send(new CreateAccessKeyCommand({ UserName: 'rms_acme' }));
    const s3 = new S3Client({ endpoint: NOWHERE, region: 'us-east-1', forcePathStyle: true, credentials: credentials(KEY_ID), maxAttempts: 1 });
    const sts = new STSClient({ endpoint: NOWHERE, region: 'us-east-1', credentials: credentials(KEY_ID), maxAttempts: 1 });
    layer.attach(s3, sts);
    answerBelow(sts, '<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn</Arn><UserId>AIDA1</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>');

    const fromS3 = await s3.send(new ListObjectsV2Command({ Bucket: 'b' })).catch((err: unknown) => err);
    const fromSts = await sts.send(new GetCallerIdentityCommand({})).catch((err: unknown) => err);
    clock.now += 8_000;
    const identity = await sts.send(new GetCallerIdentityCommand({}));

    expect(fromS3).toMatchObject({ name: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.', $metadata: { httpStatusCode: 403 } });
    expect(fromSts).toMatchObject({ name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
    expect(identity.Account).toBe('123456789012');
    expect(layer.count('key')).toBe(2);
    expect(layer.firstAcceptedAt.get(KEY_ID)).toBe(clock.now);
  });

  it("carries the layer onto the clients asTenant makes, so the proof's requests with the new key are refused too", async () => {
    const { layer, clock } = layerAt();
    layer.propagation.created(KEY_ID, clock.now);
    const operator = { endpoint: NOWHERE, region: 'us-east-1', credentials: credentials('AKIAOPERATOR') };
    const clients = {
      iam: new IAMClient(operator),
      s3control: new IAMClient(operator),
      secretsManager: new IAMClient(operator),
      eventBridge: new IAMClient(operator),
      dynamodb: new IAMClient(operator),
      s3For: () => new S3Client({ ...operator, forcePathStyle: true }),
      asTenant: (key: { accessKeyId: string; secretAccessKey: string }) => ({
        sts: new STSClient({ endpoint: NOWHERE, region: 'us-east-1', credentials: key, maxAttempts: 1 }),
        s3: new S3Client({ endpoint: NOWHERE, region: 'us-east-1', credentials: key, forcePathStyle: true, maxAttempts: 1 }),
      }),
    };

    const wrapped = layer.wrapFunctionClients(clients as never) as unknown as typeof clients;
    const tenant = wrapped.asTenant(credentials(KEY_ID));

    await expect(tenant.sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    await expect(tenant.s3.send(new ListObjectsV2Command({ Bucket: 'b' }))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
  });

  it('passes everything through untouched while off', async () => {
    const { layer } = layerAt(1_000_000, { iamWritesPerSecond: 1 });
    layer.enable(false);
    const iam = new IAMClient({ endpoint: NOWHERE, region: 'us-east-1', credentials: credentials('AKIAOPERATOR'), maxAttempts: 1 });
    layer.attach(iam);
    answerBelow(iam, `<CreateUserResponse><CreateUserResult><User><Path>/</Path><UserName>u</UserName><UserId>A</UserId><Arn>${USER_ARN}</Arn><CreateDate>2026-12-03T00:00:00Z</CreateDate></User></CreateUserResult></CreateUserResponse>`);

    for (let i = 0; i < 3; i++) await iam.send(new CreateUserCommand({ UserName: `u${i}` }));

    expect(layer.refusals).toHaveLength(0);
    expect(layer.propagation.createdAtOf(USER_ARN)).toBeUndefined();
  });
});
