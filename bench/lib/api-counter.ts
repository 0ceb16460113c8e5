/**
 * Counts AWS API calls by `Service.Operation` (`S3.CreateBucket`) with an SDK middleware on
 * each client it is given. Two counts per operation: `calls` (one per `client.send`, at the
 * initialize step) and `attempts` (one per HTTP request actually sent, retries included, at
 * the deserialize step, below the SDK's retry middleware).
 */
type Handler = (args: unknown) => Promise<unknown>;
type Middleware = (next: Handler, context: { clientName?: string; commandName?: string }) => Handler;

/** What the counter needs of an SDK v3 client: its middleware stack. */
export interface CountableClient {
  middlewareStack: {
    add(middleware: Middleware, options: { step: 'initialize' | 'deserialize'; name: string; priority?: 'high' | 'low' }): void;
    remove(name: string): boolean;
  };
}

export interface ApiCounts {
  calls: Record<string, number>;
  attempts: Record<string, number>;
  /** Milliseconds spent in the calls of each operation, summed (calls in flight together overlap). */
  ms: Record<string, number>;
}

const MIDDLEWARE_CALLS = 'benchApiCallCounter';
const MIDDLEWARE_ATTEMPTS = 'benchApiAttemptCounter';

/** `S3Client` + `CreateBucketCommand` → `S3.CreateBucket`. */
export function operationName(clientName: string | undefined, commandName: string | undefined): string {
  return `${(clientName ?? 'Unknown').replace(/Client$/, '')}.${(commandName ?? 'Unknown').replace(/Command$/, '')}`;
}

export class ApiCounter {
  private calls = new Map<string, number>();
  private attempts = new Map<string, number>();
  private ms = new Map<string, number>();
  private readonly sequence: string[] = [];
  private keepSequence = false;

  /** Adds the counting middleware to each client (once per client). */
  attach(clients: CountableClient[]): void {
    for (const client of clients) {
      const stack = client.middlewareStack;
      stack.remove(MIDDLEWARE_CALLS);
      stack.remove(MIDDLEWARE_ATTEMPTS);
      stack.add(
        (next, context) => (args) => {
          const name = operationName(context.clientName, context.commandName);
          this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
          if (this.keepSequence) this.sequence.push(name);
          const start = performance.now();
          const done = () => {
            this.ms.set(name, (this.ms.get(name) ?? 0) + performance.now() - start);
          };
          const result = next(args);
          result.then(done, done);
          return result;
        },
        { step: 'initialize', name: MIDDLEWARE_CALLS, priority: 'high' },
      );
      stack.add(
        (next, context) => (args) => {
          const name = operationName(context.clientName, context.commandName);
          this.attempts.set(name, (this.attempts.get(name) ?? 0) + 1);
          return next(args);
        },
        { step: 'deserialize', name: MIDDLEWARE_ATTEMPTS, priority: 'low' },
      );
    }
  }

  /** Counts a call that is not an SDK call (the local execution port stands in for SFN). */
  record(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    this.attempts.set(name, (this.attempts.get(name) ?? 0) + 1);
    if (this.keepSequence) this.sequence.push(name);
  }

  /** Starts a new count; with `sequence`, also records the order of the calls. */
  reset(options: { sequence?: boolean } = {}): void {
    this.calls = new Map();
    this.attempts = new Map();
    this.ms = new Map();
    this.sequence.length = 0;
    this.keepSequence = options.sequence ?? false;
  }

  snapshot(): ApiCounts {
    return { calls: sorted(this.calls), attempts: sorted(this.attempts), ms: sorted(new Map([...this.ms].map(([k, v]) => [k, Math.round(v)]))) };
  }

  /** The calls in the order they were made since `reset({ sequence: true })`. */
  order(): string[] {
    return [...this.sequence];
  }
}

function sorted(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
