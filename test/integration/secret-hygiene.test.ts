/**
 * Secret hygiene: both workflows run locally at DEBUG log level — a happy provisioning, a
 * provisioning that creates a key and then rolls back, and a teardown — while every log
 * line, every execution record (state outputs included), every execution history and every
 * emitted event is captured. Each secret access key the pipeline created (recorded from
 * CreateAccessKey's responses by SDK middleware on the functions' own IAM client) must
 * appear in none of them.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { LocalPipeline } from '../../local/pipeline';
import { integrationPipeline } from './integration-pipeline';

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
});
