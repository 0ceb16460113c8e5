/**
 * Secret hygiene: both workflows run locally at DEBUG log level — a happy provisioning, a
 * provisioning that creates a key and then rolls back, and a teardown — while every log
 * line, every execution record (state outputs included), every execution history and every
 * emitted event is captured. Each secret access key the pipeline created (recorded from
 * CreateAccessKey's responses by SDK middleware on the functions' own IAM client) must
 * appear in none of them.
 *
 * Then key rotation, through local mode's stand-in (local/secrets-rotation.ts) running the real
 * rotation function: two rotations, one refused in createSecret (the previous key still in its
 * overlap), the previous key's retirement during and after the overlap and with `--revoke-old-now`
 * (overlap 0). Every step's result, every error (with its cause), every retirement's result, the
 * stand-in's DescribeSecret answers, the events and the log lines must hold none of the keys.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { LocalPipeline } from '../../local/pipeline';
import { LocalRotationFailedError } from '../../local/secrets-rotation';
import { integrationPipeline } from './integration-pipeline';
import { DAY_MS, errorText, pipelineRotation, provisionTenant, recordPutEvents, secretAt } from './rotation-harness';

jest.setTimeout(120_000);

const captured: string[] = [];
const secretKeys: string[] = [];
let pipeline: LocalPipeline;
let restoreWrites: () => void;

beforeAll(async () => {
  process.env.TEST_LOG_LEVEL = 'DEBUG';
  pipeline = await integrationPipeline();
  pipeline.functionClients.iam.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'CreateAccessKeyCommand') {
        const secret = (result.output as { AccessKey?: { SecretAccessKey?: string } } | undefined)?.AccessKey?.SecretAccessKey;
        if (secret) secretKeys.push(secret);
      }
      return result;
    },
    { step: 'initialize', name: 'recordIssuedSecretKeys' },
  );
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => (captured.push(String(chunk)), stdout(chunk, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => (captured.push(String(chunk)), stderr(chunk, ...rest))) as typeof process.stderr.write;
  restoreWrites = () => {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  };
});

afterAll(async () => {
  restoreWrites?.();
  delete process.env.TEST_LOG_LEVEL;
  await pipeline?.stop();
});

describe('secret hygiene', () => {
  it('no secret access key appears in any log line, state output, execution history or event', async () => {
    const runs: { workflow: 'provision' | 'teardown'; name: string }[] = [];

    const happy = await pipeline.send('OrgCreated', { orgId: 'Hygiene-Happy-1' });
    runs.push({ workflow: 'provision', name: happy.executionName as string });
    const provisioned = await pipeline.executions.waitFor('provision', happy.executionName as string);
    expect({ status: provisioned.status, error: provisioned.error, cause: provisioned.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });

    // A secret with the tenant's name that is not ours: the key is created, then the step fails
    // permanently and everything is rolled back.
    await pipeline.clients.secretsManager.send(new CreateSecretCommand({ Name: 'fusion-rms/local/hygiene-rollback-1/credentials', SecretString: '{}' }));
    const rolledBack = await pipeline.send('OrgCreated', { orgId: 'Hygiene-Rollback-1' });
    runs.push({ workflow: 'provision', name: rolledBack.executionName as string });
    const failed = await pipeline.executions.waitFor('provision', rolledBack.executionName as string);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'TenantSecretConflictError' });

    const teardown = await pipeline.send('OrgDeleted', { orgId: 'Hygiene-Happy-1', retentionDays: 0 });
    runs.push({ workflow: 'teardown', name: teardown.executionName as string });
    expect((await pipeline.executions.waitFor('teardown', teardown.executionName as string)).status).toBe('SUCCEEDED');

    const records = await Promise.all(runs.map((r) => pipeline.executions.describe(r.workflow, r.name)));
    const histories = await Promise.all(runs.map((r) => pipeline.executions.history(r.workflow, r.name)));
    const events = await pipeline.events();
    const haystacks = {
      logs: captured.join(''),
      executionRecords: JSON.stringify(records),
      histories: JSON.stringify(histories),
      events: JSON.stringify(events),
    };

    expect(secretKeys).toHaveLength(2);
    expect(haystacks.logs).toMatch(/"level":"DEBUG"|"level":"INFO"/);
    expect(histories.every((h) => (h?.length ?? 0) > 5)).toBe(true);
    expect(haystacks.executionRecords).toContain('"accessKeyId"');
    for (const key of secretKeys) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect({ where, leaked: text.includes(key) }).toEqual({ where, leaked: false });
      }
    }
  });

  it('no secret access key appears in what a key rotation and the retirement of the previous key return, raise, log or announce', async () => {
    const rotation = pipelineRotation(pipeline);
    const events = recordPutEvents(pipeline);
    const names = await provisionTenant(pipeline, 'Hygiene-Rotation-1');
    const logsFrom = captured.join('').length;
    const issuedFrom = secretKeys.length;
    const old = await secretAt(pipeline, names.secretName, 'AWSCURRENT');
    const returned: unknown[] = [];

    const first = await rotation.rotate(names.secretName);
    returned.push(first, await rotation.describe(names.secretName));
    // Refused in createSecret: the previous key is still in its overlap.
    const refused = await rotation.rotate(names.secretName).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(LocalRotationFailedError);
    returned.push(errorText(refused), await rotation.abandonPending(names.secretName));
    returned.push(await rotation.retirePrevious(names.secretName));
    returned.push(await rotation.retirePrevious(names.secretName, { now: new Date(Date.now() + (pipeline.config.previousKeyOverlapDays + 1) * DAY_MS) }));
    const second = await rotation.rotate(names.secretName);
    returned.push(second, await rotation.retirePrevious(names.secretName, { overlapDays: 0 }), await rotation.describe(names.secretName));

    const issued = secretKeys.slice(issuedFrom);
    expect(issued).toHaveLength(2);
    expect(issued).not.toContain(old?.secretAccessKey);
    expect(first.steps.map((s) => s.outcome)).toEqual(['created', 'nothing-to-set', 'tested', 'finished']);
    expect(returned.map((r) => JSON.stringify(r) ?? '').join('')).toMatch(/"deactivated"/);
    expect(events.filter((e) => e.detailType === 'TenantCredentialsRotated')).toHaveLength(2);
    const haystacks = {
      logs: captured.join('').slice(logsFrom),
      results: JSON.stringify(returned),
      errors: errorText(refused),
      events: JSON.stringify(events),
    };
    expect(haystacks.logs).toMatch(/Staged a new access key AWSPENDING/);
    for (const key of [...issued, old?.secretAccessKey ?? 'no AWSCURRENT value before the rotation']) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect({ where, leaked: text.includes(key) }).toEqual({ where, leaked: false });
      }
    }
  });
});
