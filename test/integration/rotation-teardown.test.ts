/**
 * A teardown during a key rotation (issue 18, item 6) on the emulator, through the real pipeline:
 * a rotation is interrupted at each boundary between its steps — and inside createSecret, between
 * listing the keys and making the new one, and between making it and staging it — while OrgDeleted
 * (retention 0) tears the tenant down; then the rest of the rotation runs, as Secrets Manager would
 * go on with it. Either the teardown has finished by then, or it is held just before it deletes
 * anything (the tenant revoked: rotation cancelled, keys deactivated, bucket policy gone) while the
 * rotation goes on.
 *
 * Asserted: no key of the revoked tenant is ever active again (a rotation must not give back the
 * access a teardown took), the rotation does not complete, the teardown succeeds, and the residue
 * scanner finds nothing of the tenant: no bucket, user, key or secret.
 */
import type { HandlerExecutionContext, InitializeHandler, MetadataBearer } from '@smithy/types';
import type { TenantNames } from '../../functions/lib/naming';
import type { RotationStep } from '../../functions/rotate-tenant-credentials';
import { currentFunction } from '../../local/function-scope';
import type { LocalPipeline } from '../../local/pipeline';
import { LocalRotationFailedError } from '../../local/secrets-rotation';
import { integrationPipeline, tenantResidue } from './integration-pipeline';
import { keysOf, provisionTenant, secretAt, testRotation, useKey, type TestRotation } from './rotation-harness';

jest.setTimeout(120_000);

const RUN = Date.now().toString(36).slice(-5);
let orgCounter = 0;
let pipeline: LocalPipeline;
let harness: TestRotation;

/** A pause point: the first call that matches signals `reached` and waits for `release`. */
interface Hold {
  matches: (operation: string, functionKey: string | undefined) => boolean;
  /** Before the call, or after it returned. */
  when: 'before' | 'after';
  reached: Promise<void>;
  release: () => void;
  /** Takes the hold off the list, signals `reached` and waits for `release`. */
  pause: () => Promise<void>;
}
const holds: Hold[] = [];

function hold(when: Hold['when'], matches: Hold['matches']): Hold {
  let signal = () => {};
  let release = () => {};
  const reached = new Promise<void>((resolve) => (signal = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const entry: Hold = {
    matches,
    when,
    reached,
    release,
    pause: async () => {
      holds.splice(holds.indexOf(entry), 1);
      signal();
      await released;
    },
  };
  holds.push(entry);
  return entry;
}

/** Holds matching calls of the functions' own clients (the rotation's and the teardown's). */
function holdingMiddleware(service: string) {
  return (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext): InitializeHandler<object, MetadataBearer> =>
    async (args) => {
      const operation = `${service}.${(context.commandName ?? '').replace(/Command$/, '')}`;
      const match = (when: Hold['when']) => holds.find((h) => h.when === when && h.matches(operation, currentFunction()));
      const before = match('before');
      if (before) await before.pause();
      const result = await next(args);
      const after = match('after');
      if (after) await after.pause();
      return result;
    };
}

beforeAll(async () => {
  pipeline = await integrationPipeline();
  pipeline.functionClients.iam.middlewareStack.add(holdingMiddleware('IAM'), { step: 'initialize', name: 'holdCalls' });
  pipeline.functionClients.secretsManager.middlewareStack.add(holdingMiddleware('SecretsManager'), { step: 'initialize', name: 'holdCalls' });
  harness = testRotation(pipeline);
});

afterAll(async () => {
  for (const h of [...holds]) h.release();
  await pipeline?.executions.idle();
  await pipeline?.stop();
});

afterEach(() => {
  harness.intercept = undefined;
  for (const h of [...holds]) h.release();
  holds.length = 0;
});

/** Starts OrgDeleted (retention 0) through the real router; `done` resolves with how the teardown ended. */
async function startTeardown(orgId: string): Promise<{ done: Promise<string> }> {
  const routed = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
  expect(routed).toMatchObject({ action: 'started', workflow: 'teardown' });
  const done = pipeline.executions.waitFor('teardown', routed.executionName as string, { timeoutMs: 60_000 }).then((record) => `${record.status}${record.error ? ` ${record.error}` : ''}`);
  return { done };
}

/** Holds the teardown at its first deletion (DeleteTenantCredentials' first call): the tenant is revoked, nothing deleted yet. */
function holdTeardownBeforeDeletion(): Hold {
  return hold('before', (_operation, functionKey) => functionKey === 'deleteTenantCredentials');
}


const NOTHING = { buckets: [], users: [], accessKeys: [], secrets: [] };

/** While the tenant is revoked: no key of its user active, its current key refused. */
async function expectRevoked(names: TenantNames): Promise<void> {
  expect((await keysOf(pipeline, names.userName)).filter((key) => key.status === 'Active')).toEqual([]);
  const current = await secretAt(pipeline, names.secretName, 'AWSCURRENT');
  if (current) expect(await useKey(pipeline, current, names.userName)).toBe('InvalidClientTokenId');
}

async function newTenant(): Promise<{ orgId: string; names: TenantNames }> {
  const orgId = `rtd-${RUN}-${++orgCounter}`;
  return { orgId, names: await provisionTenant(pipeline, orgId) };
}

/** The rotation's outcome: it must not complete. */
async function expectNotCompleted(rotation: Promise<unknown>): Promise<LocalRotationFailedError> {
  const failed = await rotation.then(
    () => new Error('The rotation completed for a tenant being torn down'),
    (err: unknown) => err,
  );
  expect(failed).toBeInstanceOf(LocalRotationFailedError);
  return failed as LocalRotationFailedError;
}

const BOUNDARIES: { before: RotationStep; label: string }[] = [
  { before: 'createSecret', label: 'as it starts (before createSecret)' },
  { before: 'setSecret', label: 'after createSecret' },
  { before: 'testSecret', label: 'after setSecret' },
  { before: 'finishSecret', label: 'after testSecret' },
];

describe('a teardown during a key rotation', () => {
  it.each(BOUNDARIES)('interrupted $label: the teardown finishes, the rest of the rotation fails, nothing is left', async ({ before }) => {
    const { orgId, names } = await newTenant();
    let teardown: Promise<string> | undefined;
    harness.intercept = async (event, step) => {
      if (event.Step === before && !teardown) {
        teardown = (await startTeardown(orgId)).done;
        expect(await teardown).toBe('SUCCEEDED');
      }
      return step(event);
    };

    const failed = await expectNotCompleted(harness.rotation.rotate(names.secretName));

    expect(failed.step).toBe(before);
    expect(await teardown).toBe('SUCCEEDED');
    expect(await tenantResidue(pipeline, names)).toEqual(NOTHING);
  });

  it.each(BOUNDARIES)('interrupted $label: the rest of the rotation runs while the tenant is revoked and gives it no active key; the teardown then leaves nothing', async ({ before }) => {
    const { orgId, names } = await newTenant();
    const held = holdTeardownBeforeDeletion();
    let teardown: Promise<string> | undefined;
    harness.intercept = async (event, step) => {
      if (event.Step === before && !teardown) {
        teardown = (await startTeardown(orgId)).done;
        await held.reached;
        await expectRevoked(names);
      }
      return step(event);
    };

    const failed = await expectNotCompleted(harness.rotation.rotate(names.secretName));

    expect(failed.step).toBe(before);
    expect(failed.cause).toMatchObject({ name: 'TenantRotationRequestError' });
    await expectRevoked(names);
    held.release();
    expect(await teardown).toBe('SUCCEEDED');
    expect(await tenantResidue(pipeline, names)).toEqual(NOTHING);
  });

  it.each([
    { when: 'after' as const, operation: 'IAM.ListAccessKeys', label: "between createSecret's listing of the keys and its new key (the revocation cannot see that key)" },
    { when: 'after' as const, operation: 'IAM.CreateAccessKey', label: 'between the new key and its staging (the revocation deactivates it)' },
  ])('revoked $label: the new key is deleted, never left active; the teardown then leaves nothing', async ({ when, operation }) => {
    const { orgId, names } = await newTenant();
    const rotationHeld = hold(when, (op, functionKey) => op === operation && functionKey === 'rotateTenantCredentials');
    const teardownHeld = holdTeardownBeforeDeletion();
    const rotation = harness.rotation.rotate(names.secretName);

    await rotationHeld.reached;
    const teardown = (await startTeardown(orgId)).done;
    await teardownHeld.reached;
    rotationHeld.release();
    const failed = await expectNotCompleted(rotation);

    expect(failed.step).toBe('createSecret');
    expect(failed.cause).toMatchObject({ name: 'TenantRotationRequestError', message: expect.stringMatching(/cancelled while its new key .* the new key is deleted/) });
    await expectRevoked(names);
    expect(await keysOf(pipeline, names.userName)).toHaveLength(1);
    teardownHeld.release();
    expect(await teardown).toBe('SUCCEEDED');
    expect(await tenantResidue(pipeline, names)).toEqual(NOTHING);
  });
});
