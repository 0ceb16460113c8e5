/**
 * The local pipeline as the benchmarks use it: the real router, ASL and handlers on the
 * emulator (local/pipeline.ts), with every AWS call the functions make counted by an SDK
 * middleware on their module-level clients (functions/lib/clients.ts) and on the router's
 * ledger client, every execution port
 * call counted as the Step Functions call it stands for, and every history event kept.
 */
import type { ExecutionEvent, Workflow } from '../../functions/lib/executions';
import type { LocalPipeline } from '../../local/pipeline';
import { deployLocalStack, LOCAL_REGION } from '../../local/stack';
import { ApiCounter, type CountableClient } from './api-counter';

export interface BenchPipeline {
  pipeline: LocalPipeline;
  counter: ApiCounter;
  /** Every history event of every execution, by `workflow/name`. */
  events: Map<string, ExecutionEvent[]>;
  /** Empties the emulator (moto's reset) and deploys the local stack again. */
  resetEmulator(): Promise<void>;
}

/** The execution port's calls, named as the Step Functions calls SfnExecutionPort makes for them. */
const PORT_OPERATIONS = { start: 'SFN.StartExecution', describe: 'SFN.DescribeExecution', stop: 'SFN.StopExecution' } as const;

export async function startBenchPipeline(options: { retryIntervalMs?: number } = {}): Promise<BenchPipeline> {
  const events = new Map<string, ExecutionEvent[]>();
  const onEvent = (workflow: Workflow, name: string, event: ExecutionEvent) => {
    const key = `${workflow}/${name}`;
    let list = events.get(key);
    if (!list) events.set(key, (list = []));
    list.push(event);
  };
  // Loaded only now: the pipeline module imports the functions after it has set the local environment.
  const { startLocalPipeline } = await import('../../local/pipeline');
  const pipeline = await startLocalPipeline({ onEvent, ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }) });

  const counter = new ApiCounter();
  const clients = await import('../../functions/lib/clients');
  const functionClients: CountableClient[] = [
    clients.s3For(LOCAL_REGION),
    clients.iam,
    clients.s3control,
    clients.secretsManager,
    clients.eventBridge,
    clients.sfn,
    // The tenant ledger: the workflows' ledger steps write it with the module client, the router
    // (locally as on AWS, a function of its own) with another.
    clients.dynamodb,
    pipeline.clients.dynamodb,
  ] as unknown as CountableClient[];
  counter.attach(functionClients);

  // The router and the handlers reach Step Functions only through this port object.
  const port = pipeline.executions as unknown as Record<keyof typeof PORT_OPERATIONS, (...args: unknown[]) => Promise<unknown>>;
  for (const [method, operation] of Object.entries(PORT_OPERATIONS) as [keyof typeof PORT_OPERATIONS, string][]) {
    const original = port[method].bind(pipeline.executions);
    port[method] = (...args: unknown[]) => {
      counter.record(operation);
      return original(...args);
    };
  }

  return {
    pipeline,
    counter,
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
