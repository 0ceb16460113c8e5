/**
 * The local pipeline as the benchmarks use it: the real router, ASL and handlers on the
 * emulator (local/pipeline.ts), with every AWS call the functions make counted by an SDK
 * middleware on their clients and on the router's ledger client, every call the functions make
 * of the execution port counted as the Step Functions call it stands for, and every history
 * event kept. The functions' clients (and the tenant-credential clients they make) also carry
 * the fault layer (lib/fault-layer.ts), off until a section turns it on.
 */
import type { ExecutionEvent, ExecutionPort, Workflow } from '../../functions/lib/executions';
import { startEmulator } from '../../local/emulator';
import { openLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import { deployLocalStack, LOCAL_REGION, localClients, localFunctionClients } from '../../local/stack';
import { ApiCounter, type CountableClient } from './api-counter';
import { FaultLayer, type FaultLayerOptions } from './fault-layer';

export interface BenchPipeline {
  pipeline: LocalPipeline;
  counter: ApiCounter;
  /** AWS's latency, IAM's eventual consistency and rate limit, on the functions' clients (off until enabled). */
  faults: FaultLayer;
  /** A consumer's own clients (with the fault layer): what reads a tenant's secret after OrgProvisioned. */
  consumerClients: ReturnType<typeof localClients>;
  /** Every history event of every execution, by `workflow/name`. */
  events: Map<string, ExecutionEvent[]>;
  /** Empties the emulator (moto's reset) and deploys the local stack again. */
  resetEmulator(): Promise<void>;
}

/** The execution port's calls, named as the Step Functions calls SfnExecutionPort makes for them. */
const PORT_OPERATIONS = { start: 'SFN.StartExecution', describe: 'SFN.DescribeExecution', stop: 'SFN.StopExecution' } as const;

export async function startBenchPipeline(options: { retryIntervalMs?: number; faults?: FaultLayerOptions } = {}): Promise<BenchPipeline> {
  const events = new Map<string, ExecutionEvent[]>();
  const onEvent = (workflow: Workflow, name: string, event: ExecutionEvent) => {
    const key = `${workflow}/${name}`;
    let list = events.get(key);
    if (!list) events.set(key, (list = []));
    list.push(event);
  };
  const counter = new ApiCounter();
  const faults = new FaultLayer(options.faults);
  const emulator = await startEmulator();
  let pipeline: LocalPipeline;
  try {
    pipeline = await openLocalPipeline(emulator, {
      onEvent,
      // The clients ProveTenantCredentials makes with the tenant's key are counted too: AWS sees their requests.
      functionClients: faults.wrapFunctionClients(localFunctionClients(emulator.endpoint), (client) => counter.attach([client as CountableClient])),
      functionExecutions: (port) => countingPort(port, counter),
      ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
    });
  } catch (err) {
    await emulator.stop();
    throw err;
  }
  const consumerClients = localClients(emulator.endpoint);
  faults.attach(consumerClients.secretsManager);
  const { functionClients } = pipeline;
  counter.attach([
    functionClients.s3For(LOCAL_REGION),
    functionClients.iam,
    functionClients.s3control,
    functionClients.secretsManager,
    functionClients.eventBridge,
    // The tenant ledger: the workflows' ledger steps write it with the functions' client, the
    // router (locally as on AWS, a function of its own) with another.
    functionClients.dynamodb,
    pipeline.clients.dynamodb,
  ] as unknown as CountableClient[]);

  return {
    pipeline,
    counter,
    faults,
    consumerClients,
    events,
    resetEmulator: async () => {
      await pipeline.executions.idle();
      const response = await fetch(new URL('/moto-api/reset', pipeline.emulator.endpoint), { method: 'POST' });
      if (!response.ok) throw new Error(`The emulator's reset answered ${response.status}`);
      await response.arrayBuffer();
      await deployLocalStack(pipeline.clients);
    },
  };
}

/** The port the functions see, counting each call as the Step Functions call SfnExecutionPort makes for it. */
function countingPort(port: ExecutionPort, counter: ApiCounter): ExecutionPort {
  const counted = <A extends unknown[], R>(operation: string, call: (...args: A) => R) => (...args: A): R => {
    counter.record(operation);
    return call(...args);
  };
  return {
    executionArn: (workflow, name) => port.executionArn(workflow, name),
    start: counted(PORT_OPERATIONS.start, (workflow, name, input) => port.start(workflow, name, input)),
    describe: counted(PORT_OPERATIONS.describe, (workflow, name) => port.describe(workflow, name)),
    stop: counted(PORT_OPERATIONS.stop, (workflow, name, reason) => port.stop(workflow, name, reason)),
    list: (workflow, listOptions) => port.list(workflow, listOptions),
  };
}
