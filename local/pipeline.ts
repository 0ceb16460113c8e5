/**
 * The embedded default, assembled: the emulator (own or AWS_ENDPOINT_URL), the local stage's
 * resources in it, the real router and the real ASL run by the local execution port with the
 * real handlers, each built from the local stage's configuration and the functions' own clients.
 * Used by `npm run demo`, the integration tests, the benchmarks and `tenantctl --local`.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { POS_EVENT_SOURCE } from '../functions/lib/events';
import type { Config } from '../functions/lib/config';
import type { ExecutionPort } from '../functions/lib/executions';
import { applyLifecycle, type LifecycleDeps, type LifecycleResult } from '../functions/lib/ledger/apply';
import { DynamoLedgerStore } from '../functions/lib/ledger/dynamo-store';
import type { NewGenerationRequest, RestoreRequest, ResumeRequest } from '../functions/lib/ledger/lifecycle';
import type { LedgerStore } from '../functions/lib/ledger/store';
import { createLogger } from '../functions/lib/logger';
import { taskHandlers, type FunctionClients } from '../functions/registry';
import { routeOrgEvent } from '../functions/route-org-event';
import { trackExecutionStatus } from '../functions/track-execution-status';
import { startEmulator, type Emulator } from './emulator';
import { LocalExecutionPort, type LocalExecutionPortOptions } from './executions';
import { runAsFunction } from './function-scope';
import {
  deployLocalStack,
  drainEvents,
  LOCAL_REGION,
  localAccountId,
  localClients,
  localConfig,
  localFunctionClients,
  scanResidue,
  type EmittedEvent,
  type LocalClients,
  type LocalStageOptions,
  type Residue,
} from './stack';

export type LocalPipelineOptions = Omit<LocalExecutionPortOptions, 'handlers' | 'definitions' | 'onStatusChange'> & LocalStageOptions & {
  /** The functions' SDK clients (default: their own for the emulator): a test or benchmark instruments its own. */
  functionClients?: FunctionClients;
  /**
   * What the functions (router, status tracker, ledger step) reach Step Functions through,
   * made from the local port: the benchmarks count its calls as the API calls they stand for.
   */
  functionExecutions?: (port: LocalExecutionPort) => ExecutionPort;
};

export interface LocalPipeline {
  emulator: Emulator;
  /** The local stage's configuration, as the functions have it. */
  config: Config;
  /** Operator-side clients (the demo, tests and tenantctl look with these). */
  clients: LocalClients;
  /** The clients the workflows' functions send with. */
  functionClients: FunctionClients;
  executions: LocalExecutionPort;
  /** The tenant ledger in the emulator's DynamoDB. */
  ledger: LedgerStore;
  /** Puts an event as the POS system would, through the real router (`time`: the event's, default now). */
  send(detailType: 'OrgCreated' | 'OrgDeleted', detail: Record<string, unknown>, options?: { time?: Date }): Promise<LifecycleResult>;
  /** An operator's request (`tenantctl restore`, `provision --new-generation`), decided by the same lifecycle rules. */
  lifecycle(request: RestoreRequest | NewGenerationRequest | ResumeRequest): Promise<LifecycleResult>;
  /** The events the workflows emitted since the last call (as a consumer on the bus sees them). */
  events(): Promise<EmittedEvent[]>;
  residue(): Promise<Residue>;
  /** Stops the emulator if this pipeline started it. */
  stop(): Promise<void>;
}

/** What the router, the status tracker and operators' requests run with. */
type FunctionDeps = LifecycleDeps & { executions: ExecutionPort };

/** An EventBridge event as the rule in `account` would hand it to the router Lambda. */
export function posEvent(detailType: string, detail: Record<string, unknown>, account: string, time = new Date()): EventBridgeEvent<string, Record<string, unknown>> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: POS_EVENT_SOURCE,
    account,
    time: time.toISOString(),
    region: LOCAL_REGION,
    resources: [],
    detail,
  };
}

/** Starts the emulator (or uses AWS_ENDPOINT_URL) and assembles the pipeline on it; `stop` ends that emulator. */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const emulator = await startEmulator();
  try {
    return await openLocalPipeline(emulator, options);
  } catch (err) {
    await emulator.stop();
    throw err;
  }
}

/**
 * Assembles the pipeline on an emulator that already runs (the stack applied idempotently);
 * `stop` is the emulator's own. Used by `tenantctl --local` with its background emulator.
 */
export async function openLocalPipeline(emulator: Emulator, options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const { allowedRegions, tenancy, objectAcls, teardownContinueAtEvents, keepEmptyBucketAfterTeardownDays, functionClients = localFunctionClients(emulator.endpoint), functionExecutions, ...portOptions } = options;
  const stage = {
    ...(allowedRegions ? { allowedRegions } : {}),
    ...(tenancy ? { tenancy } : {}),
    ...(objectAcls === undefined ? {} : { objectAcls }),
    ...(teardownContinueAtEvents === undefined ? {} : { teardownContinueAtEvents }),
    ...(keepEmptyBucketAfterTeardownDays === undefined ? {} : { keepEmptyBucketAfterTeardownDays }),
  };
  const accountId = await localAccountId(emulator.endpoint);
  const config = localConfig(emulator.endpoint, accountId, stage);
  const clients = localClients(emulator.endpoint);
  const { eventsQueueUrl } = await deployLocalStack(clients, stage);
  const logger = createLogger();
  // The router, the tracker and operators write the ledger with a client of their own; the
  // workflows' steps with the functions' (as each is its own Lambda on AWS, and so a fault
  // injected into a step's calls never reaches the router's).
  const ledger = new DynamoLedgerStore(clients.dynamodb, config.tenantLedgerTable);
  // Step Functions reports a run that ends without success (or is redriven) on EventBridge,
  // where the status tracker picks it up; the local port reports it to the tracker directly.
  // The ledger step stops the run a teardown or restore superseded through the same port.
  const late: { deps?: FunctionDeps; port?: ExecutionPort } = {};
  const executions: LocalExecutionPort = new LocalExecutionPort({
    ...portOptions,
    accountId,
    handlers: taskHandlers({ config, logger, clients: functionClients, executions: lazyPort(() => late.port) }),
    onStatusChange: (change) => {
      const deps = late.deps;
      return deps && runAsFunction('trackExecutionStatus', () => trackExecutionStatus(change, deps));
    },
  });
  late.port = functionExecutions ? functionExecutions(executions) : executions;
  const deps: FunctionDeps = { ledger, executions: late.port, eventBridge: functionClients.eventBridge, config, logger };
  late.deps = deps;

  return {
    emulator,
    config,
    clients,
    functionClients,
    executions,
    ledger,
    send: (detailType, detail, sendOptions = {}) => runAsFunction('routeOrgEvent', () => routeOrgEvent(posEvent(detailType, detail, accountId, sendOptions.time), deps)),
    lifecycle: (request) => applyLifecycle(request, deps),
    events: () => drainEvents(clients, eventsQueueUrl),
    residue: () => scanResidue(clients),
    stop: () => emulator.stop(),
  };
}

/** A port whose calls go to the one `resolve` gives when they are made (the port exists only after the handlers it is given to). */
function lazyPort(resolve: () => ExecutionPort | undefined): ExecutionPort {
  const port = (): ExecutionPort => {
    const resolved = resolve();
    if (!resolved) throw new Error('The local pipeline called its execution port before assembling it');
    return resolved;
  };
  return {
    executionArn: (...args) => port().executionArn(...args),
    start: (...args) => port().start(...args),
    describe: (...args) => port().describe(...args),
    stop: (...args) => port().stop(...args),
    list: (...args) => port().list(...args),
  };
}
