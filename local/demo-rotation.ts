/**
 * `npm run demo -- --rotate`: the provisioned tenant's access key rotated as Secrets Manager would
 * rotate it, shown as a timeline. Local mode's stand-in (local/secrets-rotation.ts) runs the real
 * rotation function's four steps; the keys are checked as AWS checks them (local/tenant-key-check.ts),
 * since the emulator itself takes any key. Only access key ids are printed, never a secret.
 *
 * The overlap (the stage's PREVIOUS_KEY_OVERLAP_DAYS, 7 by default) is not waited for: the previous
 * key's retirement runs once on the real clock (nothing to do, still in its overlap) and once with
 * the stand-in's clock set just past the overlap's end, which is what the daily retirement would do
 * that day. Nothing else about the clock is simulated.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { TenantKey } from '../functions/lib/key-proof';
import { parseTenantSecret, type TenantSecret } from '../functions/lib/tenant-secret';
import type { LocalPipeline } from './pipeline';
import { LocalRotationFailedError, LocalSecretsRotation } from './secrets-rotation';
import { LOCAL_REGION, type EmittedEvent } from './stack';
import { iamAccessKeyStatus, localTenantClients } from './tenant-key-check';

type Out = (line?: string) => void;

const STEP_WORDS: Record<string, (accessKeyId: string | undefined) => string> = {
  created: (id) => `created access key ${id ?? '?'}, staged AWSPENDING`,
  'already-created': (id) => `access key ${id ?? '?'} already staged AWSPENDING`,
  'nothing-to-set': () => 'nothing to set: an IAM key works once IAM has created it',
  tested: (id) => `signed as the tenant with ${id ?? '?'}: STS GetCallerIdentity and ListObjectsV2 of its own bucket or prefix`,
  finished: (id) => `AWSCURRENT moved to the new version (${id ?? '?'}); the previous key stays active for the overlap`,
  'already-current': () => 'already AWSCURRENT: nothing to do',
};

const time = (date: Date = new Date()) => date.toISOString().slice(11, 23);

/** The stand-in the pipeline's functions schedule rotations with. */
function standInOf(pipeline: LocalPipeline): LocalSecretsRotation {
  const { keyRotation } = pipeline.functionClients;
  if (!(keyRotation instanceof LocalSecretsRotation)) throw new Error('The local pipeline runs without local mode\'s rotation stand-in (local/secrets-rotation.ts)');
  return keyRotation;
}

/** What one key gets from STS and the tenant's bucket: undefined when both answered, else what refused it. */
async function useKey(pipeline: LocalPipeline, secret: TenantSecret, key: TenantKey, write: boolean): Promise<{ arn?: string; refused?: string; wrote?: string }> {
  const tenant = localTenantClients(pipeline.emulator.endpoint, LOCAL_REGION, iamAccessKeyStatus(pipeline.clients.iam))(key, secret.region);
  const refusals: string[] = [];
  let arn: string | undefined;
  let wrote: string | undefined;
  try {
    try {
      arn = (await tenant.sts.send(new GetCallerIdentityCommand({}))).Arn;
    } catch (err) {
      refusals.push(`STS ${err instanceof Error ? err.name : String(err)}`);
    }
    try {
      const objectKey = `${secret.prefix ?? ''}demo/rotation.txt`;
      if (write) {
        const body = `written with access key ${key.accessKeyId} at ${new Date().toISOString()}`;
        await tenant.s3.send(new PutObjectCommand({ Bucket: secret.bucket, Key: objectKey, Body: body }));
        const readBack = await (await tenant.s3.send(new GetObjectCommand({ Bucket: secret.bucket, Key: objectKey }))).Body?.transformToString();
        if (readBack !== body) throw new Error(`Read back ${JSON.stringify(readBack)} from s3://${secret.bucket}/${objectKey}`);
        wrote = `s3://${secret.bucket}/${objectKey}`;
      } else {
        await tenant.s3.send(new ListObjectsV2Command({ Bucket: secret.bucket, MaxKeys: 1, ...(secret.prefix ? { Prefix: secret.prefix } : {}) }));
      }
    } catch (err) {
      refusals.push(`S3 ${err instanceof Error ? err.name : String(err)}`);
    }
  } finally {
    tenant.destroy();
  }
  return { ...(arn ? { arn } : {}), ...(refusals.length ? { refused: refusals.join(', ') } : {}), ...(wrote ? { wrote } : {}) };
}

async function expectWorks(out: Out, pipeline: LocalPipeline, secret: TenantSecret, key: TenantKey, label: string, write = false): Promise<void> {
  const used = await useKey(pipeline, secret, key, write);
  if (used.refused) throw new Error(`The ${label} ${key.accessKeyId} was refused (${used.refused}) where it must work`);
  out(`    ✓ ${label} ${key.accessKeyId} works: STS → ${used.arn ?? '?'}; ${used.wrote ? `wrote and read back ${used.wrote}` : `listed s3://${secret.bucket}/${secret.prefix ?? ''}`}`);
}

async function expectRefused(out: Out, pipeline: LocalPipeline, secret: TenantSecret, key: TenantKey, label: string): Promise<void> {
  const used = await useKey(pipeline, secret, key, false);
  if (!used.refused || used.arn) throw new Error(`The ${label} ${key.accessKeyId} still works (STS → ${used.arn ?? '?'}) where it must be refused`);
  out(`    ✓ ${label} ${key.accessKeyId} refused: ${used.refused}`);
}

async function currentSecret(pipeline: LocalPipeline, secretName: string): Promise<TenantSecret> {
  const { SecretString } = await pipeline.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretName }));
  const secret = parseTenantSecret(SecretString);
  if (!secret) throw new Error(`Secret ${secretName} does not hold the tenant's credentials`);
  return secret;
}

/**
 * Rotates the tenant's key and shows the timeline: the four steps, both keys working during the
 * overlap, the previous key retired after it and then refused, the new key working, and the
 * TenantCredentialsRotated event. Returns the events it took from the bus (the demo lists them all at the end).
 * @throws Error when any of it is not as it must be (the demo then fails).
 */
export async function demonstrateRotation(out: Out, pipeline: LocalPipeline, secretName: string): Promise<EmittedEvent[]> {
  const rotation = standInOf(pipeline);
  const before = await rotation.describe(secretName);
  const oldSecret = await currentSecret(pipeline, secretName);
  const oldKey = { accessKeyId: oldSecret.accessKeyId, secretAccessKey: oldSecret.secretAccessKey };
  out("Key rotation (Secrets Manager's four steps, run by local mode's stand-in: the emulator invokes no rotation function)");
  out(
    `  schedule: ${before.RotationEnabled ? `every ${before.RotationRules?.AutomaticallyAfterDays ?? '?'} days (set by ProveTenantCredentials), next ${before.NextRotationDate?.toISOString() ?? '?'}` : 'none'}; ` +
      `last rotated ${before.LastRotatedDate?.toISOString() ?? 'never'}; current key ${oldKey.accessKeyId}`,
  );
  const events = await pipeline.events();

  out(`  ${time()}  ▶ rotate now (RotateSecret)`);
  let outcome;
  try {
    outcome = await rotation.rotate(secretName);
  } catch (err) {
    if (err instanceof LocalRotationFailedError) for (const done of err.completed) out(`    ✓ ${done.step.padEnd(13)} ${STEP_WORDS[done.outcome]?.(done.accessKeyId) ?? done.outcome}`);
    throw err;
  }
  for (const done of outcome.steps) out(`    ✓ ${done.step.padEnd(13)} ${STEP_WORDS[done.outcome]?.(done.accessKeyId) ?? done.outcome}`);
  out(`  ${time(new Date(outcome.rotatedAt))}  rotated: version ${outcome.versionId} AWSCURRENT, ${outcome.previousVersionId ?? '?'} AWSPREVIOUS; LastRotatedDate recorded`);

  const newSecret = await currentSecret(pipeline, secretName);
  const newKey = { accessKeyId: newSecret.accessKeyId, secretAccessKey: newSecret.secretAccessKey };
  if (newKey.accessKeyId === oldKey.accessKeyId) throw new Error(`AWSCURRENT still holds the old key ${oldKey.accessKeyId} after the rotation`);
  const after = await rotation.describe(secretName);
  const stages = Object.entries(after.VersionIdsToStages ?? {}).filter(([, labels]) => labels.length > 0).map(([id, labels]) => `${id} [${labels.join(', ')}]`);
  out(`    versions: ${stages.join('; ')}`);

  const rotated = (await pipeline.events()).filter((event) => {
    events.push(event);
    return event['detail-type'] === 'TenantCredentialsRotated';
  });
  for (const event of rotated) {
    const detail = event.detail as { versionId?: string; accessKeyId?: string; previousAccessKeyId?: string; previousKeyActiveUntil?: string; rotatedAt?: string };
    out(`    event TenantCredentialsRotated: versionId ${detail.versionId}, accessKeyId ${detail.accessKeyId}, previousAccessKeyId ${detail.previousAccessKeyId ?? '—'}, previous key active until ${detail.previousKeyActiveUntil ?? '—'}`);
  }
  if (rotated.length === 0) throw new Error('No TenantCredentialsRotated reached the bus after the rotation');

  out(`  ${time()}  overlap: both keys work`);
  await expectWorks(out, pipeline, newSecret, oldKey, 'previous key');
  await expectWorks(out, pipeline, newSecret, newKey, 'new key');

  out(`  ${time()}  ▶ retire the previous key (the daily retirement), on today's clock`);
  const early = await rotation.retirePrevious(secretName);
  if (early.outcome !== 'in-overlap' || !early.overlapEndsAt) throw new Error(`Retiring during the overlap did ${early.outcome}, not nothing`);
  out(`    ✓ ${early.accessKeyId ?? '?'} left active: in its overlap until ${early.overlapEndsAt}`);
  const pastOverlap = new Date(new Date(early.overlapEndsAt).getTime() + 60_000);
  out(`  ${pastOverlap.toISOString()} (simulated: the stand-in's clock set a minute past the overlap)  ▶ retire the previous key`);
  const retired = await rotation.retirePrevious(secretName, { now: pastOverlap });
  if (retired.outcome !== 'deactivated') throw new Error(`Retiring after the overlap did ${retired.outcome}, not deactivated`);
  out(`    ✓ ${retired.accessKeyId ?? '?'} deactivated (IAM UpdateAccessKey Inactive); the next rotation deletes it`);

  out(`  ${time()}  after the overlap`);
  await expectRefused(out, pipeline, newSecret, oldKey, 'previous key');
  await expectWorks(out, pipeline, newSecret, newKey, 'new key', true);
  return events;
}
