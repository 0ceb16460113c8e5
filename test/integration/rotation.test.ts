/**
 * Key rotation on the emulator (issue 18): a tenant provisioned through the real pipeline has its
 * key rotated by local mode's Secrets Manager stand-in (local/secrets-rotation.ts), which runs the
 * real rotation function's four steps as Secrets Manager invokes them; keys are used as the tenant,
 * through local mode's check of the signing key (the emulator itself takes any key).
 *
 * The timeline asserted: two keys during the overlap, both working; AWSCURRENT the new key,
 * AWSPREVIOUS the old; TenantCredentialsRotated announced without a secret; the daily retirement
 * leaves the old key alone during the overlap and deactivates it after; the next rotation deletes
 * it; a rotation that would delete a previous key still in its overlap is refused with the current
 * key untouched; `--revoke-old-now` (retirement with overlap 0) deactivates the old key at once.
 */
import type { TenantNames } from '../../functions/lib/naming';
import type { TenantSecret } from '../../functions/lib/tenant-secret';
import type { LocalPipeline } from '../../local/pipeline';
import { LocalRotationFailedError, type LocalSecretsRotation } from '../../local/secrets-rotation';
import { integrationPipeline } from './integration-pipeline';
import { DAY_MS, keysOf, pipelineRotation, provisionTenant, recordIssuedSecrets, recordPutEvents, secretAt, useKey, type PutEvent } from './rotation-harness';

jest.setTimeout(120_000);

const RUN = Date.now().toString(36).slice(-5);
let pipeline: LocalPipeline;
let rotation: LocalSecretsRotation;
let issued: string[];
let put: PutEvent[];

beforeAll(async () => {
  pipeline = await integrationPipeline();
  rotation = pipelineRotation(pipeline);
  issued = recordIssuedSecrets(pipeline);
  put = recordPutEvents(pipeline);
});

afterAll(async () => {
  await pipeline?.executions.idle();
  await pipeline?.stop();
});

async function current(names: TenantNames): Promise<TenantSecret> {
  const secret = await secretAt(pipeline, names.secretName, 'AWSCURRENT');
  if (!secret) throw new Error(`Secret ${names.secretName} has no AWSCURRENT value`);
  return secret;
}

/** The TenantCredentialsRotated events put for `orgId` since `from` (an index into the recorded events). */
function rotatedEvents(orgId: string, from = 0): PutEvent[] {
  return put.slice(from).filter((e) => e.detailType === 'TenantCredentialsRotated' && e.detail.orgId === orgId);
}

describe('key rotation on the emulator', () => {
  it('rotates through the four steps with a two-key overlap, retires the old key after it and deletes it on the next rotation', async () => {
    const orgId = `rot-${RUN}-1`;
    const names = await provisionTenant(pipeline, orgId);
    const { userName, secretName } = names;

    // ProveTenantCredentials put the proven key on the stage's schedule, without rotating it.
    const scheduled = await rotation.describe(secretName);
    expect(scheduled).toMatchObject({ RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: pipeline.config.rotationDays } });
    expect(scheduled.LastRotatedDate).toBeUndefined();
    const old = await current(names);
    expect(await keysOf(pipeline, userName)).toEqual([{ id: old.accessKeyId, status: 'Active' }]);
    expect(await useKey(pipeline, old, userName)).toBe('works');

    const rotated = await rotation.rotate(secretName);

    expect(rotated.steps.map((s) => [s.step, s.outcome])).toEqual([
      ['createSecret', 'created'],
      ['setSecret', 'nothing-to-set'],
      ['testSecret', 'tested'],
      ['finishSecret', 'finished'],
    ]);
    const fresh = await current(names);
    expect(fresh.accessKeyId).toBe(rotated.accessKeyId);
    expect(fresh.accessKeyId).not.toBe(old.accessKeyId);
    expect(fresh).toMatchObject({ bucket: old.bucket, region: old.region });
    expect((await secretAt(pipeline, secretName, 'AWSPREVIOUS'))?.accessKeyId).toBe(old.accessKeyId);
    expect(await secretAt(pipeline, secretName, 'AWSPENDING')).toBeUndefined();
    // The overlap: both keys held and both working, so consumers still on the old one keep going.
    expect(await keysOf(pipeline, userName)).toEqual(
      expect.arrayContaining([
        { id: old.accessKeyId, status: 'Active' },
        { id: fresh.accessKeyId, status: 'Active' },
      ]),
    );
    expect(await keysOf(pipeline, userName)).toHaveLength(2);
    expect(await useKey(pipeline, fresh, userName)).toBe('works');
    expect(await useKey(pipeline, old, userName)).toBe('works');
    const described = await rotation.describe(secretName);
    expect(described.LastRotatedDate?.toISOString()).toBe(rotated.rotatedAt);
    expect(described.NextRotationDate?.getTime()).toBe(new Date(rotated.rotatedAt).getTime() + pipeline.config.rotationDays * DAY_MS);

    const events = rotatedEvents(orgId);
    expect(events).toHaveLength(1);
    const overlapEnds = new Date(new Date(rotated.rotatedAt).getTime() + pipeline.config.previousKeyOverlapDays * DAY_MS);
    expect(events[0]?.detail).toMatchObject({
      orgId,
      userName,
      credentials: { secretName },
      versionId: rotated.versionId,
      accessKeyId: fresh.accessKeyId,
      previousAccessKeyId: old.accessKeyId,
    });
    // Within the second the stand-in recorded the rotation at (the event is put moments before).
    expect(Math.abs(new Date(events[0]?.detail.previousKeyActiveUntil as string).getTime() - overlapEnds.getTime())).toBeLessThan(5_000);
    expect(JSON.stringify(events)).not.toMatch(/secretAccessKey/i);
    for (const secret of issued) expect(JSON.stringify({ events, rotated })).not.toContain(secret);

    // The daily retirement: nothing during the overlap, the old key deactivated once it has passed.
    expect(await rotation.retirePrevious(secretName)).toEqual({ outcome: 'in-overlap', accessKeyId: old.accessKeyId, overlapEndsAt: overlapEnds.toISOString() });
    expect(await useKey(pipeline, old, userName)).toBe('works');
    const afterOverlap = new Date(overlapEnds.getTime() + 1_000);
    expect(await rotation.retirePrevious(secretName, { now: afterOverlap })).toEqual({ outcome: 'deactivated', accessKeyId: old.accessKeyId });
    expect(await useKey(pipeline, old, userName)).toBe('InvalidClientTokenId');
    expect(await useKey(pipeline, fresh, userName)).toBe('works');
    expect(await rotation.retirePrevious(secretName, { now: afterOverlap })).toEqual({ outcome: 'already-inactive', accessKeyId: old.accessKeyId });

    // The next rotation deletes the retired key to make room: never more than IAM's two.
    const announced = put.length;
    const next = await rotation.rotate(secretName);
    expect(next.steps[0]).toMatchObject({ step: 'createSecret', outcome: 'created', deletedAccessKeyIds: [old.accessKeyId] });
    const keys = await keysOf(pipeline, userName);
    expect(keys).toHaveLength(2);
    expect(keys).toEqual(expect.arrayContaining([{ id: fresh.accessKeyId, status: 'Active' }, { id: next.accessKeyId, status: 'Active' }]));
    expect((await current(names)).accessKeyId).toBe(next.accessKeyId);
    expect((await secretAt(pipeline, secretName, 'AWSPREVIOUS'))?.accessKeyId).toBe(fresh.accessKeyId);
    expect(rotatedEvents(orgId, announced).map((e) => e.detail.previousAccessKeyId)).toEqual([fresh.accessKeyId]);
  });

  it('refuses a rotation that would delete a previous key still in its overlap, leaving the current key working; --revoke-old-now then lets it through', async () => {
    const orgId = `rot-${RUN}-2`;
    const names = await provisionTenant(pipeline, orgId);
    const { userName, secretName } = names;
    const first = await rotation.rotate(secretName);
    const old = await secretAt(pipeline, secretName, 'AWSPREVIOUS');
    const fresh = await current(names);

    const refused = await rotation.rotate(secretName).catch((err: unknown) => err);

    expect(refused).toBeInstanceOf(LocalRotationFailedError);
    expect(refused).toMatchObject({ step: 'createSecret', cause: { name: 'TenantKeyOverlapError' } });
    expect((await current(names)).accessKeyId).toBe(first.accessKeyId);
    expect(await keysOf(pipeline, userName)).toHaveLength(2);
    expect(await useKey(pipeline, fresh, userName)).toBe('works');
    expect(await useKey(pipeline, old as TenantSecret, userName)).toBe('works');
    // A failed rotation stays in progress (AWSPENDING) until cleared, as on AWS.
    await expect(rotation.rotate(secretName)).rejects.toMatchObject({ name: 'InvalidRequestException' });
    expect(await rotation.abandonPending(secretName)).toBe((refused as LocalRotationFailedError).versionId);

    // The "key leaked" button: the old key goes at once, not after the overlap.
    expect(await rotation.retirePrevious(secretName, { overlapDays: 0 })).toEqual({ outcome: 'deactivated', accessKeyId: old?.accessKeyId });
    expect(await useKey(pipeline, old as TenantSecret, userName)).toBe('InvalidClientTokenId');
    expect(await useKey(pipeline, fresh, userName)).toBe('works');

    const next = await rotation.rotate(secretName);
    expect(next.steps[0]).toMatchObject({ outcome: 'created', deletedAccessKeyIds: [old?.accessKeyId] });
    expect(await useKey(pipeline, await current(names), userName)).toBe('works');
    expect(await useKey(pipeline, fresh, userName)).toBe('works');
    expect(await keysOf(pipeline, userName)).toHaveLength(2);
  });

  it('rotates now with --revoke-old-now: the new key proven, then the old one deactivated at once', async () => {
    const orgId = `rot-${RUN}-3`;
    const names = await provisionTenant(pipeline, orgId);
    const old = await current(names);

    const rotated = await rotation.rotate(names.secretName);
    const retired = await rotation.retirePrevious(names.secretName, { overlapDays: 0 });

    expect(retired).toEqual({ outcome: 'deactivated', accessKeyId: old.accessKeyId });
    expect(await keysOf(pipeline, names.userName)).toEqual(
      expect.arrayContaining([
        { id: old.accessKeyId, status: 'Inactive' },
        { id: rotated.accessKeyId, status: 'Active' },
      ]),
    );
    expect(await useKey(pipeline, old, names.userName)).toBe('InvalidClientTokenId');
    expect(await useKey(pipeline, await current(names), names.userName)).toBe('works');
  });
});
