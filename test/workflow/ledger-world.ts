import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../../functions/lib/config';
import type { Workflow } from '../../functions/lib/executions';
import { applyLifecycle, decisionContext, type LifecycleResult } from '../../functions/lib/ledger/apply';
import { DynamoLedgerStore } from '../../functions/lib/ledger/dynamo-store';
import { decide, type LifecycleRequest } from '../../functions/lib/ledger/lifecycle';
import type { TenantLedgerItem } from '../../functions/lib/ledger/model';
import { FakeAws } from '../support/fake-aws';
import { sampleLifecycleDeps } from '../support/fixtures';
import { runWorkflow, type WorkflowRun } from './run-state-machine';

const config = loadConfig();
const FILES: Record<Workflow, string> = { provision: 'provision-tenant.asl.json', teardown: 'teardown-tenant.asl.json', restore: 'restore-tenant.asl.json' };

export const ORG_ID = 'Acme-Bistro-42';
export const SLUG = 'acme-bistro-42';
/** The sample tenant's resources, named as ValidateOrg names them under the test config (test/setup-env.ts). */
export const BUCKET = 'fusion-rms-acme-bistro-42';
export const USER = 'rms_acme-bistro-42';
export const SECRET = 'fusion-rms/test/acme-bistro-42/credentials';
/** What a teardown calls to delete the tenant's secret, keys, user, objects and bucket. */
export const DELETIONS = ['SecretsManager.DeleteSecret', 'IAM.DeleteAccessKey', 'IAM.DeleteUser', 'S3.DeleteObjects', 'S3.DeleteBucket'];

/**
 * The tenant ledger around the workflow tests: the router's decisions applied to the modelled
 * ledger table (FakeAws's, which the workflows' ledger steps also read and write through the
 * module DynamoDB client), the runs they start recorded, and each run's real ASL run on demand
 * with the input and name the ledger gave it.
 */
export class LedgerWorld {
  readonly deps: ReturnType<typeof sampleLifecycleDeps>;
  private events = 0;
  private minutes = 0;

  constructor(private readonly aws: FakeAws) {
    this.deps = sampleLifecycleDeps(new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable), { now: new Date() });
  }

  /** The tenant's ledger item now. */
  get item(): TenantLedgerItem {
    const item = this.aws.ledger.get(SLUG);
    if (!item) throw new Error(`The ledger has no item ${SLUG}`);
    return item;
  }

  /** An OrgCreated or OrgDeleted as the router handles it (each a little later than the last); the AWS calls it makes are not kept. */
  async route(kind: 'OrgCreated' | 'OrgDeleted', detail: Record<string, unknown> = {}): Promise<LifecycleResult> {
    const calls = this.aws.calls.length;
    const result = await applyLifecycle(this.request(kind, detail), this.deps);
    this.aws.calls.splice(calls);
    return result;
  }

  /**
   * The router's decision on an event, written to the ledger at once (synchronously, from inside
   * a running workflow's step). The runs it starts are recorded (a test runs them with `run`);
   * its stops are not carried out, as when the router's StopExecution had not reached the run yet.
   */
  decideNow(kind: 'OrgCreated' | 'OrgDeleted', detail: Record<string, unknown> = {}): void {
    const item = this.aws.ledger.get(SLUG);
    const decided = decide(item, this.request(kind, detail), { ...decisionContext(this.deps), now: new Date() });
    if (!decided.write) throw new Error(`${kind} changed nothing in the ledger (${decided.outcome}: ${decided.reason ?? ''})`);
    this.aws.ledger.put(decided.write.next);
    for (const effect of decided.effects) {
      if (effect.kind === 'start') this.deps.recorded.started.push({ workflow: effect.workflow, name: effect.name, input: effect.input });
    }
  }

  /** The input of the run the ledger started under `name`. */
  inputOf(name: string): Record<string, unknown> {
    const start = this.deps.recorded.started.find((started) => started.name === name);
    if (!start) throw new Error(`The ledger started no execution ${name}`);
    return start.input;
  }

  /** Runs the real ASL of the run the ledger started under `name`, with its input. */
  run(workflow: Workflow, name: string, options: Parameters<typeof runWorkflow>[2] = {}): Promise<WorkflowRun> {
    return runWorkflow(FILES[workflow], this.inputOf(name), { ...options, executionName: name });
  }

  /** OrgCreated, then its provisioning run to the end; the calls and events it made are not kept. */
  async provision(detail: Record<string, unknown> = {}): Promise<WorkflowRun> {
    const routed = await this.route('OrgCreated', detail);
    const run = await this.run('provision', routed.executionName as string);
    if (run.status !== 'SUCCEEDED') throw new Error(`The provisioning ended ${run.status}: ${run.error?.name ?? ''}`);
    this.aws.calls = [];
    this.aws.events = [];
    return run;
  }

  private request(kind: 'OrgCreated' | 'OrgDeleted', detail: Record<string, unknown>): LifecycleRequest {
    this.minutes += 1;
    const eventTime = new Date(Date.parse('2026-12-01T10:00:00.000Z') + this.minutes * 60_000).toISOString();
    return { kind, orgId: ORG_ID, eventTime, eventId: `${kind}-${++this.events}`, ...detail } as LifecycleRequest;
  }
}

/** A fresh modelled AWS, installed, and the ledger world over it: for a test's beforeEach (`aws.restore()` after it). */
export function newLedgerWorld(): { aws: FakeAws; world: LedgerWorld } {
  const aws = new FakeAws().install();
  return { aws, world: new LedgerWorld(aws) };
}
