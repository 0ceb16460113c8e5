import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { loadConfig, TENANCIES, type Tenancy } from '../../functions/lib/config';
import type { RedriveResult } from '../../functions/lib/executions';
import type { LifecycleResult } from '../../functions/lib/ledger/apply';
import { DynamoLedgerStore } from '../../functions/lib/ledger/dynamo-store';
import { ensureBackgroundEmulator, liveEmulator } from '../../local/daemon';
import { waitUntilAnswering } from '../../local/emulator';
import { LocalExecutionPort } from '../../local/executions';
import { executionsStore, localStateDir } from '../../local/paths';
import { LOCAL_REGION, localAccountId, localClients, localEnvironment, type LocalStageOptions } from '../../local/stack';
import type { Backend } from '../backend';
import { CliError, EXIT_USAGE } from '../errors';
import type { CliIo } from '../output';
import { MemoryLedgerStore } from '../../functions/lib/ledger/store';
import { localKeyRotation } from './key-rotation';
import { LocalLedgerReader } from './ledger';
import { spawnRunner, type RunnerSpec } from './runner';
import { TENANTCTL } from '../invocation';

/** A path as the operator reads it best: relative to the working directory when it is under it. */
export function shown(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath && !relativePath.startsWith('..') && !isAbsolute(relativePath) ? relativePath : path;
}

/** The local emulator's endpoint: AWS_ENDPOINT_URL when set (never started or stopped), else the background emulator. */
export async function localEndpoint(io: CliIo, stateDir: string): Promise<string> {
  const external = io.env.AWS_ENDPOINT_URL?.trim();
  if (external) {
    await waitUntilAnswering(external, 10_000);
    return external;
  }
  const emulator = await ensureBackgroundEmulator(stateDir);
  if (emulator.started) {
    const store = executionsStore(stateDir);
    const earlier = existsSync(store) && readdirSync(store).some((workflow) => readdirSync(join(store, workflow)).length > 0);
    io.stderr(
      `tenantctl: started the local AWS emulator at ${emulator.endpoint} (pid ${emulator.pid}); \`${TENANTCTL} local stop\` ends it${earlier ? ` (it starts empty: the ledger and the resources of earlier local executions are gone; \`${TENANTCTL} local reset\` clears their records)` : ''}\n`,
    );
  }
  return emulator.endpoint;
}

/**
 * The local stage's tenancy as the operator asks for it: TENANT_PROVISIONER_TENANCY (`bucket`, the
 * default, or `prefix`: new tenants are prefixes of the local shared bucket) and
 * TENANT_PROVISIONER_OBJECT_ACLS (`enabled`/`disabled`), as on AWS.
 * @throws CliError (exit 2) naming the variable that is malformed.
 */
export function localStageOptions(env: NodeJS.ProcessEnv): Pick<LocalStageOptions, 'tenancy' | 'objectAcls'> {
  const tenancy = env.TENANT_PROVISIONER_TENANCY?.trim() || 'bucket';
  if (!(TENANCIES as readonly string[]).includes(tenancy)) throw new CliError(`TENANT_PROVISIONER_TENANCY=${JSON.stringify(tenancy)} is invalid: must be "bucket" or "prefix"`, EXIT_USAGE);
  const acls = env.TENANT_PROVISIONER_OBJECT_ACLS?.trim() || 'disabled';
  if (acls !== 'enabled' && acls !== 'disabled') throw new CliError(`TENANT_PROVISIONER_OBJECT_ACLS=${JSON.stringify(acls)} is invalid: must be "enabled" or "disabled"`, EXIT_USAGE);
  return { tenancy: tenancy as Tenancy, objectAcls: acls === 'enabled' };
}

/**
 * What every local backend has, on the emulator at `endpoint` (which answers for `accountId`): the
 * local stage's config and clients, the executions' store, no stop to wait for.
 */
function localBase(io: CliIo, stateDir: string, endpoint: string, accountId: string) {
  const clients = localClients(endpoint);
  const config = loadConfig(localEnvironment(endpoint, accountId, localStageOptions(io.env)));
  return {
    mode: 'local' as const,
    accountId,
    region: LOCAL_REGION,
    config,
    executions: new LocalExecutionPort({ store: executionsStore(stateDir), region: LOCAL_REGION, accountId }),
    s3For: () => clients.s3,
    iam: clients.iam,
    secretsManager: clients.secretsManager,
    redriveFrom: 'start' as const,
    pollMs: io.pollMs ?? 200,
    close: async () => undefined,
    clients,
  };
}

/**
 * The embedded default: the background emulator (or AWS_ENDPOINT_URL) with the tenant ledger in
 * its DynamoDB, and the local execution port over the store in the state directory. Everything
 * that starts or stops an execution — an event through the router, an operator's lifecycle
 * request, a redrive — runs in a detached background runner, which applies the local stack first
 * (openLocalPipeline), so the execution goes on after the command returns (as on AWS), and every
 * command sees it through the store and the ledger; the command itself only reads.
 */
export async function openLocalBackend(io: CliIo, options: { readOnly?: boolean } = {}): Promise<Backend> {
  const stateDir = localStateDir(io.env);
  if (options.readOnly && !io.env.AWS_ENDPOINT_URL?.trim() && !(await liveEmulator(stateDir))) return withoutEmulator(io, stateDir);
  const endpoint = await localEndpoint(io, stateDir);
  const { clients, ...base } = localBase(io, stateDir, endpoint, await localAccountId(endpoint));

  const run = (spec: RunnerSpec) => {
    if (!io.entry) throw new CliError('The local mode needs the tenantctl bundle to start its background runner');
    return spawnRunner(spec, { entry: io.entry, stateDir, env: { ...io.env, AWS_ENDPOINT_URL: endpoint, TENANTCTL_STATE_DIR: stateDir } });
  };

  return {
    ...base,
    location: `local emulator at ${endpoint}${io.env.AWS_ENDPOINT_URL?.trim() ? ' (AWS_ENDPOINT_URL)' : ''}, state in ${shown(stateDir)}`,
    ledger: new LocalLedgerReader(new DynamoLedgerStore(clients.dynamodb, base.config.tenantLedgerTable)),
    // Rotation runs in this process (the stand-in runs the real handler), to its end, as `rotate` waits on AWS too.
    rotation: localKeyRotation(endpoint, clients, base.config),
    putOrgEvent: async (detailType, detail) => ({ route: (await run({ kind: 'event', detailType, detail })) as LifecycleResult }),
    lifecycle: async (request) => (await run({ kind: 'lifecycle', request })) as LifecycleResult,
    redrive: async (workflow, name, clientToken) => {
      const result = (await run({ kind: 'redrive', workflow, name, clientToken })) as RedriveResult & { redriveDate: string };
      return { ...result, redriveDate: new Date(result.redriveDate) };
    },
  };
}

/**
 * What a read-only command (list, status, failed) sees when no local emulator runs: no tenants,
 * since the ledger lives in the emulator and a new one starts empty. It says so once, and starts
 * nothing; anything that would need AWS fails as a connection to nowhere would.
 */
function withoutEmulator(io: CliIo, stateDir: string): Backend {
  io.stderr(`tenantctl: no local emulator is running, so there are no local tenants (the next \`${TENANTCTL} --local provision <orgId>\` starts one)\n`);
  // No emulator, so no account to ask: the placeholder only fills ARNs of executions nothing can reach.
  const { clients: _nowhere, ...base } = localBase(io, stateDir, 'http://127.0.0.1:1', '000000000000');
  const refuse = (what: string) => async (): Promise<never> => {
    throw new CliError(`${what} needs the local emulator, and none is running`);
  };
  return {
    ...base,
    location: `no local emulator running, state in ${shown(stateDir)}`,
    ledger: new LocalLedgerReader(new MemoryLedgerStore()),
    rotation: { rotateNow: refuse('A rotation'), schedule: refuse('Scheduling a rotation'), retirePrevious: refuse('Retiring a key'), describe: refuse('Describing a secret') },
    putOrgEvent: refuse('Putting an event'),
    lifecycle: refuse('An operator request'),
    redrive: refuse('A redrive'),
  };
}
