/**
 * The embedded default, assembled: the emulator (own or AWS_ENDPOINT_URL), the local stage's
 * resources in it, the real router and the real ASL run by the local execution port with the
 * real handlers. Used by `npm run demo`, the integration tests and `tenantctl --local`.
 *
 * The function modules read their configuration and create their SDK clients when they are
 * loaded, so they are imported only after the local environment is in `process.env`.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { POS_EVENT_SOURCE } from '../functions/lib/events';
import type { LifecycleResult } from '../functions/lib/ledger/apply';
import type { NewGenerationRequest, RestoreRequest, ResumeRequest } from '../functions/lib/ledger/lifecycle';
import type { LedgerStore } from '../functions/lib/ledger/store';
import { startEmulator, type Emulator } from './emulator';
import type { LocalExecutionPort, LocalExecutionPortOptions } from './executions';
import { runAsFunction } from './function-scope';
import {
  applyLocalEnvironment,
  deployLocalStack,
  drainEvents,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  localClients,
  scanResidue,
  type EmittedEvent,
  type LocalClients,
  type Residue,
} from './stack';

export type LocalPipelineOptions = Omit<LocalExecutionPortOptions, 'handlers' | 'definitions' | 'onStatusChange'> & {
  /** The stage's allowed regions (default: the local region only); the first is the default. */
  allowedRegions?: readonly string[];
};

export interface LocalPipeline {
  emulator: Emulator;
  clients: LocalClients;
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

/** An EventBridge event as the rule would hand it to the router Lambda. */
export function posEvent(detailType: string, detail: Record<string, unknown>, time = new Date()): EventBridgeEvent<string, Record<string, unknown>> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: POS_EVENT_SOURCE,
    account: LOCAL_ACCOUNT_ID,
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
  const { allowedRegions, ...portOptions } = options;
  applyLocalEnvironment(emulator.endpoint, allowedRegions ? { allowedRegions } : {});
  const clients = localClients(emulator.endpoint);
  const { eventsQueueUrl } = await deployLocalStack(clients);

  const [{ LocalExecutionPort }, router, tracker, recorder, { taskHandlersByPlaceholder }, { lambdaHandler }, { applyLifecycle }, { DynamoLedgerStore }, { eventBridge, dynamodb }, { loadConfig }, { logger }] =
    await Promise.all([
      import('./executions'),
      import('../functions/route-org-event'),
      import('../functions/track-execution-status'),
      import('../functions/record-tenant-state'),
      import('../functions/registry'),
      import('../functions/lib/handler'),
      import('../functions/lib/ledger/apply'),
      import('../functions/lib/ledger/dynamo-store'),
      import('../functions/lib/clients'),
      import('../functions/lib/config'),
      import('../functions/lib/logger'),
    ]);
  const config = loadConfig();
  // The router, the tracker and operators write the ledger with a client of their own; the
  // workflows' ledger step with the functions' module client (as each is its own Lambda on AWS,
  // and so a fault injected into a step's calls never reaches the router's).
  const ledger = new DynamoLedgerStore(clients.dynamodb, config.tenantLedgerTable);
  const stepLedger = new DynamoLedgerStore(dynamodb, config.tenantLedgerTable);
  // Step Functions reports a run that ends without success (or is redriven) on EventBridge,
  // where the status tracker picks it up; the local port reports it to the tracker directly.
  // The ledger step stops the run a teardown or restore superseded: here, on this port (the
  // Lambda's own port is Step Functions'). Both are wired once the port exists.
  const late: { deps?: Parameters<typeof tracker.trackExecutionStatus>[1]; executions?: LocalExecutionPort } = {};
  const recordTenantState = lambdaHandler((event: Parameters<typeof recorder.recordTenantState>[0]) =>
    recorder.recordTenantState(event, { ledger: stepLedger, config, logger, executions: late.executions as LocalExecutionPort }),
  );
  const executions: LocalExecutionPort = new LocalExecutionPort({
    ...portOptions,
    handlers: { ...taskHandlersByPlaceholder, RecordTenantStateFunctionArn: recordTenantState },
    onStatusChange: (change) => {
      const deps = late.deps;
      return deps && runAsFunction('trackExecutionStatus', () => tracker.trackExecutionStatus(change, deps));
    },
  });
  const lifecycleDeps = { ledger, executions, eventBridge, config, logger };
  late.executions = executions;
  late.deps = lifecycleDeps;

  return {
    emulator,
    clients,
    executions,
    ledger,
    send: (detailType, detail, sendOptions = {}) => runAsFunction('routeOrgEvent', () => router.routeOrgEvent(posEvent(detailType, detail, sendOptions.time), lifecycleDeps)),
    lifecycle: (request) => applyLifecycle(request, lifecycleDeps),
    events: () => drainEvents(clients, eventsQueueUrl),
    residue: () => scanResidue(clients),
    stop: () => emulator.stop(),
  };
}
