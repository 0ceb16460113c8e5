/**
 * The tenant ledger against a model of the world, in random interleavings.
 *
 * Real: the router (routeOrgEvent), the ledger (DynamoLedgerStore on the emulator's DynamoDB),
 * the workflows' ledger step (recordTenantState) and the status tracker (trackExecutionStatus).
 * Modelled: Step Functions (a port whose executions advance one state at a time when the
 * scheduler says so, fail, are stopped, redriven at the failed state, and forgotten after they
 * close, as Step Functions does after 90 days), the workflows' other steps (over a model of each
 * tenant's bucket, user, keys, secret and bucket policy, following the ASL's order), EventBridge
 * (POS events and Step Functions' status events delivered in any order, late, and again) and the
 * router crashing between its ledger write and StartExecution (Lambda then retries the event).
 *
 * After every step: never two live generations (no run of another generation may act, at most one
 * provisioning acts), never a deletion of a live tenant's resources, no access for a tenant the
 * ledger has revoked or deleted, an active tenant has all it needs. At the end of every
 * interleaving, once every event is delivered, every run finished and operators have redriven
 * what parked: each org ends as its latest event says — OrgDeleted: deleted, nothing left;
 * OrgCreated (or a restore): one tenant — and the ledger's live count is the number of live items.
 *
 * LEDGER_MODEL_SEED replays one interleaving; LEDGER_MODEL_RUNS sets how many run.
 */
import { CreateTableCommand, DeleteTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import type { ExecutionPort, ExecutionRecord, ExecutionStatus, StartResult, Workflow } from '../../functions/lib/executions';
import { applyLifecycle, type LifecycleDeps } from '../../functions/lib/ledger/apply';
import { effectiveState, isLive } from '../../functions/lib/ledger/model';
import { assertRunMayAct } from '../../functions/lib/ledger/run-guard';
import { DynamoLedgerStore } from '../../functions/lib/ledger/dynamo-store';
import type { LedgerStore } from '../../functions/lib/ledger/store';
import { createLogger } from '../../functions/lib/logger';
import { recordTenantState, type RecordTenantStateInput } from '../../functions/record-tenant-state';
import { routeOrgEvent } from '../../functions/route-org-event';
import { trackExecutionStatus } from '../../functions/track-execution-status';
import { runAsFunction } from '../../local/function-scope';
import type { LocalPipeline } from '../../local/pipeline';
import { integrationPipeline } from './integration-pipeline';

jest.setTimeout(600_000);

const RUNS = Number(process.env.LEDGER_MODEL_RUNS ?? 40);
const STEPS = 60;
const ORGS_PER_RUN = 2;
const RUN_TAG = Date.now().toString(36).slice(-5);

/** mulberry32: a small seeded generator, so a failing interleaving can be replayed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof random>;

// ---------------------------------------------------------------------------------------
// The model of AWS: each tenant's resources, and every deletion checked against the ledger
// ---------------------------------------------------------------------------------------

interface Key {
  id: string;
  active: boolean;
  by: string;
}
interface Holding {
  bucket?: string;
  user?: string;
  secret?: string;
  secretKey?: string;
  keys: Key[];
  policy: boolean;
}

class Violation extends Error {
  override readonly name = 'Violation';
}

// ---------------------------------------------------------------------------------------
// Step Functions, modelled
// ---------------------------------------------------------------------------------------

interface ModelExecution {
  workflow: Workflow;
  name: string;
  arn: string;
  input: Record<string, unknown>;
  status: ExecutionStatus;
  pc: number;
  /** Where a redrive resumes (the failed state). */
  failedAt?: number;
  redriveCount: number;
  forgotten: boolean;
  /** Passed its ConfirmTenantRun step, or since its last redrive a step's run guard (lib/ledger/run-guard.ts). */
  confirmed: boolean;
  rollingBack?: boolean;
}

interface StatusEvent {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  error?: string;
  redriveCount?: number;
  stopDate?: string;
}

class ModelStepFunctions implements Pick<ExecutionPort, 'start' | 'stop' | 'describe' | 'executionArn'> {
  readonly executions = new Map<string, ModelExecution>();
  readonly statusEvents: StatusEvent[] = [];
  failNextStart = false;
  now: () => number = () => Date.now();

  executionArn(workflow: Workflow, name: string): string {
    return `arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-local-${workflow}-tenant:${name}`;
  }

  async start(workflow: Workflow, name: string, input: unknown): Promise<StartResult> {
    if (this.failNextStart) {
      this.failNextStart = false;
      throw Object.assign(new Error('The router crashed before StartExecution (injected)'), { name: 'InjectedCrash' });
    }
    const arn = this.executionArn(workflow, name);
    const existing = this.executions.get(arn);
    if (existing && !existing.forgotten) {
      return existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(input) ? { started: true, executionArn: arn } : { started: false, reason: 'already-exists' };
    }
    this.executions.set(arn, { workflow, name, arn, input: input as Record<string, unknown>, status: 'RUNNING', pc: 0, redriveCount: 0, forgotten: false, confirmed: false });
    return { started: true, executionArn: arn };
  }

  async stop(workflow: Workflow, name: string): Promise<void> {
    const execution = this.executions.get(this.executionArn(workflow, name));
    if (!execution || execution.forgotten || execution.status !== 'RUNNING') return;
    this.close(execution, 'ABORTED', 'Stopped');
  }

  async describe(workflow: Workflow, name: string): Promise<ExecutionRecord | undefined> {
    const execution = this.executions.get(this.executionArn(workflow, name));
    if (!execution || execution.forgotten) return undefined;
    return { workflow, name, executionArn: execution.arn, status: execution.status, input: execution.input, startDate: new Date(0), redriveCount: execution.redriveCount };
  }

  readonly log: string[] = [];
  close(execution: ModelExecution, status: ExecutionStatus, error?: string): void {
    this.log.push(`${execution.name} ${status} at pc${execution.pc}${error ? ` (${error})` : ''}`);
    execution.status = status;
    if (status !== 'SUCCEEDED') {
      execution.failedAt = execution.pc;
      this.statusEvents.push({ executionArn: execution.arn, name: execution.name, status, stopDate: new Date(this.now()).toISOString(), ...(error ? { error } : {}) });
    }
  }

  /** RedriveExecution: a failed, timed-out or aborted execution resumes at the state that failed. */
  redrive(execution: ModelExecution): boolean {
    if (execution.forgotten || execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') return false;
    execution.status = 'RUNNING';
    execution.pc = execution.failedAt ?? execution.pc;
    execution.redriveCount++;
    // It resumes past its ConfirmTenantRun: it acts again only once a step's run guard lets it.
    execution.confirmed = false;
    this.statusEvents.push({ executionArn: execution.arn, name: execution.name, status: 'RUNNING', redriveCount: execution.redriveCount });
    return true;
  }

  running(): ModelExecution[] {
    return [...this.executions.values()].filter((e) => e.status === 'RUNNING');
  }
}

// ---------------------------------------------------------------------------------------
// One interleaving
// ---------------------------------------------------------------------------------------

interface PosEvent {
  detailType: 'OrgCreated' | 'OrgDeleted';
  orgId: string;
  time: Date;
  id: string;
}

class World {
  readonly sfn = new ModelStepFunctions();
  readonly holdings = new Map<string, Holding>();
  readonly pending: PosEvent[] = [];
  readonly delivered: PosEvent[] = [];
  /** Per org: what it last asked for, by time (events; a restore counts as asking for the tenant). */
  readonly intent = new Map<string, { time: number; kind: 'created' | 'deleted' }>();
  /** The model's clock (the POS system's, the operators' and the ledger's): one second per event, 90 days when the world ages. */
  clock = Date.parse('2026-12-01T00:00:00.000Z');
  steps = 0;
  private keyCounter = 0;
  /** What happened, for a violation's message (Step Functions' model writes to it too). */
  get log(): string[] {
    return this.sfn.log;
  }

  constructor(
    readonly rng: Random,
    readonly orgIds: string[],
    readonly ledger: LedgerStore,
    readonly deps: Omit<LifecycleDeps, 'executions' | 'ledger'>,
    readonly modules: Modules,
  ) {
    this.sfn.now = () => this.clock;
  }

  private lifecycleDeps() {
    return { ...this.deps, ledger: this.ledger, executions: this.sfn, now: () => new Date(this.clock) };
  }

  holding(slug: string): Holding {
    let holding = this.holdings.get(slug);
    if (!holding) this.holdings.set(slug, (holding = { keys: [], policy: false }));
    return holding;
  }

  // --- POS events ------------------------------------------------------------------------

  /** The POS system puts an event now (its clock only moves forward). */
  put(detailType: PosEvent['detailType'], orgId: string): void {
    this.clock += 1000;
    this.pending.push({ detailType, orgId, time: new Date(this.clock), id: randomUUID() });
  }

  async deliver(event: PosEvent): Promise<void> {
    const routed: EventBridgeEvent<string, unknown> = {
      version: '0',
      id: event.id,
      'detail-type': event.detailType,
      source: 'pos.signup',
      account: '123456789012',
      time: event.time.toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { orgId: event.orgId, ...(event.detailType === 'OrgDeleted' ? { retentionDays: 1 } : {}) },
    };
    try {
      const result = await this.modules.routeOrgEvent(routed, this.lifecycleDeps());
      this.log.push(`deliver ${event.detailType} ${event.orgId} @${event.time.toISOString()} → ${result.action} ${result.executionName ?? ''} ${result.reason ?? ''}`);
      this.delivered.push(event);
      const intent = this.intent.get(event.orgId.toLowerCase());
      const time = event.time.getTime();
      // Ties: the deletion wins (the ledger treats an OrgCreated not newer than the OrgDeleted as stale).
      if (!intent || time > intent.time || (time === intent.time && event.detailType === 'OrgDeleted')) {
        this.intent.set(event.orgId.toLowerCase(), { time, kind: event.detailType === 'OrgCreated' ? 'created' : 'deleted' });
      }
      if (result.action === 'rejected' && result.error === 'TeardownInProgressError') this.resendLater.add(event.orgId);
    } catch (err) {
      if ((err as Error).name !== 'InjectedCrash') throw err;
      this.log.push(`deliver ${event.detailType} ${event.orgId} → router crashed after its write`);
      // Lambda retries an asynchronous invocation that failed: the same event again, later.
      this.pending.push(event);
    }
  }

  /** OrgCreated refused while a teardown was deleting: the POS system sends it again after OrgDeprovisioned. */
  readonly resendLater = new Set<string>();

  // --- Workflows ---------------------------------------------------------------------------

  private tenantRef(execution: ModelExecution) {
    const input = execution.input as { orgId: string; runId: string; generation: number; region: string };
    const slug = input.orgId.toLowerCase();
    return {
      orgId: input.orgId,
      slug,
      region: input.region ?? 'us-east-1',
      provisionedBy: input.runId,
      executionName: execution.name,
      generation: input.generation,
      startedAt: new Date(this.clock).toISOString(),
      bucketCandidates: [`fusion-rms-${slug}`],
      userName: `rms_${slug}`,
      userPath: '/tenants/local/',
      secretName: `fusion-rms/local/${slug}/credentials`,
    };
  }

  /** The ledger step: true when recorded, false when the ledger has moved past this run. */
  private async record(execution: ModelExecution, input: RecordTenantStateInput): Promise<boolean> {
    try {
      await this.modules.recordTenantState(input, this.lifecycleDeps());
      return true;
    } catch (err) {
      if ((err as Error).name === 'TenantRunSupersededError') return false;
      throw err;
    }
  }

  /** A deletion, as the ASL makes it, checked against the ledger at that moment. */
  private async deleting(execution: ModelExecution, what: string, owner: string | undefined): Promise<void> {
    const slug = this.tenantRef(execution).slug;
    const item = await this.ledger.get(slug);
    const runId = (execution.input as { runId: string }).runId;
    const state = item && effectiveState(item);
    if (execution.workflow === 'teardown') {
      if (state !== 'deleting' || item?.teardown?.runId !== runId) throw new Violation(`${execution.name} deleted ${what} of ${slug} while the ledger says ${item?.state} (${item?.teardown?.name})`);
    } else {
      if (owner !== runId) throw new Violation(`${execution.name} rolled back ${what} of ${slug} that run ${owner} made`);
      if (state === 'active' || state === 'restoring') throw new Violation(`${execution.name} rolled back ${what} of live tenant ${slug} (${state})`);
    }
  }

  /** Runs the execution's current state; returns false when it ended. */
  async step(execution: ModelExecution): Promise<void> {
    this.log.push(`step ${execution.name} pc${execution.pc}`);
    const tenant = this.tenantRef(execution);
    const holding = this.holding(tenant.slug);
    const runId = tenant.provisionedBy;
    const done = (status: ExecutionStatus = 'SUCCEEDED', error?: string) => this.sfn.close(execution, status, error);
    const confirm = async () => {
      if (!(await this.record(execution, { transition: 'confirm', workflow: execution.workflow, tenant }))) return false;
      execution.confirmed = true;
      return true;
    };
    /** The run guard of the steps that change the tenant (the real one, on the real ledger): false when the ledger refuses the run. */
    const mayAct = async () => {
      try {
        await assertRunMayAct(this.ledger, tenant, 'act');
        execution.confirmed = true;
        return true;
      } catch (err) {
        if ((err as Error).name === 'TenantRunSupersededError') return false;
        throw err;
      }
    };
    if (execution.workflow === 'provision') {
      if (execution.rollingBack) {
        // UndoIssueTenantCredentials, UndoCreateTenantUser, UndoCreateTenantBucket: only this run's.
        for (const [field, what] of [['secret', 'secret'], ['user', 'user'], ['bucket', 'bucket']] as const) {
          if (holding[field] === runId) {
            await this.deleting(execution, what, holding[field]);
            holding[field] = undefined;
          }
        }
        for (const key of holding.keys.filter((k) => k.by === runId)) await this.deleting(execution, `key ${key.id}`, key.by);
        holding.keys = holding.keys.filter((k) => k.by !== runId);
        if (!holding.bucket) holding.policy = false;
        await this.record(execution, { transition: 'rolled-back', state: { tenant, error: { Error: 'TenantUserConflictError' } } });
        return done('FAILED', 'TenantUserConflictError');
      }
      switch (execution.pc) {
        case 0: // ValidateOrg, ConfirmTenantRun
          if (!(await confirm())) return done('FAILED', 'TenantRunSupersededError');
          break;
        case 1: // CreateTenantBucket (adopts this org's), ConfigureTenantBucket: each asks the ledger first
          if (!(await mayAct())) return done('FAILED', 'TenantRunSupersededError');
          holding.bucket ??= runId;
          break;
        case 2: // CreateTenantUser (adopts this org's), after its run guard; a rare permanent error rolls back
          if (!(await mayAct())) return done('FAILED', 'TenantRunSupersededError');
          if (this.rng.chance(0.05)) {
            execution.rollingBack = true;
            return;
          }
          holding.user ??= runId;
          break;
        case 3: {
          // IssueTenantCredentials: the secret's key if it is live, else a new key into the secret
          if (!(await mayAct())) return done('FAILED', 'TenantRunSupersededError');
          const held = holding.keys.find((k) => k.id === holding.secretKey && k.active);
          if (!held) {
            const key = { id: `AKIA${String(++this.keyCounter).padStart(16, '0')}`, active: true, by: runId };
            holding.keys.push(key);
            holding.secretKey = key.id;
          }
          holding.secret ??= runId;
          break;
        }
        case 4: // ApplyTenantBucketPolicy
          if (!(await mayAct())) return done('FAILED', 'TenantRunSupersededError');
          holding.policy = true;
          break;
        case 5: {
          // RecordTenantActive, then PublishOrgProvisioned
          const ok = await this.record(execution, {
            transition: 'provisioned',
            tenant,
            bucket: { name: `fusion-rms-${tenant.slug}`, region: 'us-east-1', arn: `arn:aws:s3:::fusion-rms-${tenant.slug}`, created: true },
            bucketConfig: { publicPrefix: 'pub/', publicBaseUrl: `https://fusion-rms-${tenant.slug}.s3.us-east-1.amazonaws.com/pub/` },
            user: { userName: tenant.userName, arn: `arn:aws:iam::123456789012:user/tenants/${tenant.userName}`, userId: 'AIDAMODEL', created: true },
            credentials: { secretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${tenant.secretName}-x`, secretName: tenant.secretName, accessKeyId: holding.secretKey ?? '', issued: true },
          });
          return done(ok ? 'SUCCEEDED' : 'FAILED', ok ? undefined : 'TenantRunSupersededError');
        }
      }
    } else if (execution.workflow === 'teardown') {
      switch (execution.pc) {
        case 0: // PrepareTeardown, ConfirmTenantRun (stops what it superseded), settle
          if (!(await confirm())) return done();
          break;
        case 1: {
          // RevokeTenantAccess (after its run guard), RecordTenantRetained
          if (!(await mayAct())) return done();
          const deactivated = holding.keys.filter((k) => k.active).map((k) => k.id);
          for (const key of holding.keys) key.active = false;
          holding.policy = false;
          if (!(await this.record(execution, { transition: 'revoked', tenant, revoked: { bucketName: holding.bucket ? `fusion-rms-${tenant.slug}` : '', bucketFoundBy: 'ledger', keysDeactivated: deactivated, bucketPolicyDeleted: true, skipped: [] } })))
            return done();
          break;
        }
        case 2: // WaitRetentionPeriod: the scheduler lets anything happen meanwhile
          break;
        case 3: // RecordTenantDeleting
          if (!(await this.record(execution, { transition: 'deletion-started', tenant }))) return done();
          break;
        case 4: // DeleteTenantCredentials, DeleteTenantUser, DeleteTenantBucket
          for (const key of holding.keys) await this.deleting(execution, `key ${key.id}`, key.by);
          for (const field of ['secret', 'user', 'bucket'] as const) if (holding[field]) await this.deleting(execution, field, holding[field]);
          this.holdings.set(tenant.slug, { keys: [], policy: false });
          break;
        case 5: // RecordTenantDeleted, PublishOrgDeprovisioned
          await this.record(execution, { transition: 'deleted', tenant });
          return done();
      }
    } else {
      switch (execution.pc) {
        case 0: // ConfirmTenantRun (stops the teardown it superseded), settle
          if (!(await confirm())) return done('FAILED', 'TenantRunSupersededError');
          break;
        case 1: {
          // RestoreTenantAccess, ApplyTenantBucketPolicy
          if (!(await mayAct())) return done('FAILED', 'TenantRunSupersededError');
          const keyIds = (execution.input as { keyIds?: string[] }).keyIds ?? (holding.secretKey ? [holding.secretKey] : []);
          for (const key of holding.keys) if (keyIds.includes(key.id)) key.active = true;
          holding.policy = Boolean(holding.bucket);
          break;
        }
        case 2: {
          // RecordTenantRestored, PublishOrgRestored
          const ok = await this.record(execution, { transition: 'restored', tenant });
          return done(ok ? 'SUCCEEDED' : 'FAILED', ok ? undefined : 'TenantRunSupersededError');
        }
      }
    }
    execution.pc++;
  }

  // --- Operators -----------------------------------------------------------------------------

  /** tenantctl redrive: the ledger's parked run, unless the ledger has moved past it. */
  async operatorRedrive(slug: string): Promise<void> {
    const item = await this.ledger.get(slug);
    if (item?.state !== 'parked' || !item.parked) return;
    const execution = this.sfn.executions.get(item.parked.executionArn);
    if (!execution || !this.sfn.redrive(execution)) return;
    await this.modules.applyLifecycle({ kind: 'resume', slug, executionArn: execution.arn, by: 'tenantctl redrive' }, this.lifecycleDeps());
  }

  async operatorRestore(orgId: string): Promise<void> {
    this.clock += 1000;
    try {
      const result = await this.modules.applyLifecycle({ kind: 'restore', orgId, by: 'tenantctl restore' }, this.lifecycleDeps());
      this.log.push(`tenantctl restore ${orgId} → ${result.action} ${result.reason ?? ''}`);
      if (result.action === 'started') this.intent.set(orgId.toLowerCase(), { time: this.clock, kind: 'created' });
    } catch (err) {
      if ((err as Error).name !== 'InjectedCrash') throw err;
      // tenantctl failed after the ledger write: the restore is recorded, its run not started; a
      // repeated restore or OrgCreated starts it.
      this.log.push(`tenantctl restore ${orgId} → crashed after its write`);
      this.intent.set(orgId.toLowerCase(), { time: this.clock, kind: 'created' });
    }
  }

  /** 90 days pass: Step Functions forgets every closed execution. */
  age(): void {
    this.log.push('90 days pass');
    this.clock += 90 * 86_400_000;
    for (const execution of this.sfn.executions.values()) if (execution.status !== 'RUNNING') execution.forgotten = true;
  }

  async deliverStatusEvent(event: StatusEvent): Promise<void> {
    const result = await this.modules.trackExecutionStatus(event, this.lifecycleDeps());
    this.log.push(`status ${event.name} ${event.status} → ${result?.action ?? 'ignored'}`);
  }

  // --- Invariants after every step --------------------------------------------------------------

  async check(): Promise<void> {
    for (const orgId of this.orgIds) {
      const slug = orgId.toLowerCase();
      const item = await this.ledger.get(slug);
      const holding = this.holding(slug);
      const acting = this.sfn.running().filter((e) => e.confirmed && this.tenantRef(e).slug === slug);
      // Never two live generations: only runs of the ledger's generation act, at most one provisioning.
      for (const run of acting) {
        const generation = (run.input as { generation: number }).generation;
        if (item && generation !== item.generation) throw new Violation(`${run.name} (generation ${generation}) acts while the ledger is at generation ${item.generation}`);
      }
      if (acting.filter((e) => e.workflow === 'provision').length > 1) throw new Violation(`two provisionings of ${slug} act at once`);
      const state = item && effectiveState(item);
      // A revoked or deleted tenant has no access left.
      if (state === 'retained' || state === 'deleting' || state === 'deleted') {
        if (holding.keys.some((k) => k.active) || holding.policy) {
          throw new Violation(`${slug} is ${item?.state}${item?.state === 'parked' ? ` (${state})` : ''} in the ledger but has ${holding.keys.filter((k) => k.active).length} active key(s), policy ${holding.policy}`);
        }
      }
      // An active tenant has everything it needs.
      if (item?.state === 'active' && !(holding.bucket && holding.user && holding.secret && holding.policy && holding.keys.some((k) => k.active && k.id === holding.secretKey))) {
        throw new Violation(`${slug} is active in the ledger but holds ${JSON.stringify(holding)}`);
      }
    }
  }

  // --- The end of an interleaving ---------------------------------------------------------------

  /** Delivers everything, runs every run to its end, redrives what parked, until nothing changes. */
  async drain(): Promise<void> {
    this.sfn.failNextStart = false;
    for (let round = 0; round < 200; round++) {
      let changed = false;
      while (this.pending.length > 0) {
        await this.deliver(this.pending.shift() as PosEvent);
        await this.check();
        this.steps++;
        changed = true;
      }
      while (this.sfn.statusEvents.length > 0) {
        await this.deliverStatusEvent(this.sfn.statusEvents.shift() as StatusEvent);
        await this.check();
        this.steps++;
        changed = true;
      }
      for (const execution of this.sfn.running()) {
        await this.step(execution);
        await this.check();
        this.steps++;
        changed = true;
      }
      for (const orgId of this.orgIds) {
        const slug = orgId.toLowerCase();
        const item = await this.ledger.get(slug);
        const wanted = this.intent.get(slug)?.kind;
        if (item?.state === 'parked' && item.parked) {
          // What an operator does with a parked run: redrive it while Step Functions still can;
          // otherwise send the org's latest wish again (a new attempt), or start the next generation.
          const execution = this.sfn.executions.get(item.parked.executionArn);
          const redrivable = execution && !execution.forgotten && execution.status !== 'RUNNING' && this.clock - Date.parse(item.parked.at) <= 14 * 86_400_000;
          if (redrivable) await this.operatorRedrive(slug);
          else if (execution?.status === 'RUNNING' && !execution.forgotten) continue;
          else if (item.parked.from === 'deleting' || this.resendLater.has(orgId)) this.put('OrgDeleted', orgId); // finish the teardown first
          else if (item.parked.workflow === 'provision' && wanted === 'created') await this.modules.applyLifecycle({ kind: 'new-generation', orgId, by: 'tenantctl provision --new-generation' }, this.lifecycleDeps());
          else this.put(wanted === 'deleted' ? 'OrgDeleted' : 'OrgCreated', orgId);
          changed = true;
        } else if (item?.state === 'deleted' && this.resendLater.has(orgId)) {
          this.resendLater.delete(orgId);
          this.put('OrgCreated', orgId);
          changed = true;
        } else if (item?.state === 'rolled-back' && wanted === 'created') {
          // An operator fixes the cause and starts the next generation.
          await this.modules.applyLifecycle({ kind: 'new-generation', orgId, by: 'tenantctl provision --new-generation' }, this.lifecycleDeps());
          changed = true;
        }
      }
      if (!changed) return;
    }
    throw new Violation(`the world did not settle within 200 rounds:\n${await this.describe()}`);
  }

  /** The world, for a violation's message: each org's ledger item and every run. */
  async describe(): Promise<string> {
    const states = await Promise.all(
      this.orgIds.map(async (orgId) => {
        const item = await this.ledger.get(orgId.toLowerCase());
        return `${orgId}: ${item?.state}${item?.parked ? ` (${item.parked.from}, ${item.parked.executionName} ${item.parked.status})` : ''} intent ${JSON.stringify(this.intent.get(orgId.toLowerCase()))}\n  ${item?.history.map((h) => `${h.to} by ${h.by}: ${h.reason.slice(0, 70)}`).join('\n  ')}`;
      }),
    );
    const runs = [...this.sfn.executions.values()].map((e) => `${e.name} ${e.status} pc${e.pc}${e.forgotten ? ' forgotten' : ''}`);
    return `${states.join('\n')}\n${runs.join('\n')}\nlog:\n${this.log.slice(-60).join('\n')}`;
  }

  async checkEnd(): Promise<void> {
    for (const orgId of this.orgIds) {
      const slug = orgId.toLowerCase();
      const item = await this.ledger.get(slug);
      const holding = this.holding(slug);
      const intent = this.intent.get(slug);
      if (!intent) continue;
      if (intent.kind === 'deleted') {
        if (item && item.state !== 'deleted') throw new Violation(`${slug}: its latest event is OrgDeleted but the ledger ends ${item.state}\n${await this.describe()}`);
        if (holding.bucket || holding.user || holding.secret || holding.keys.length > 0) throw new Violation(`${slug}: deleted, but ${JSON.stringify(holding)} is left`);
      } else {
        if (item?.state !== 'active') throw new Violation(`${slug}: its latest event is OrgCreated but the ledger ends ${item?.state}\n${await this.describe()}`);
        if (holding.keys.filter((k) => k.active).length !== 1) throw new Violation(`${slug}: one tenant must have exactly one active key, has ${JSON.stringify(holding.keys)}`);
      }
    }
  }

  // --- Random steps ---------------------------------------------------------------------------

  async randomStep(): Promise<void> {
    const { rng } = this;
    const orgId = rng.pick(this.orgIds);
    const roll = rng.next();
    if (roll < 0.14) this.put('OrgCreated', orgId);
    else if (roll < 0.24) this.put('OrgDeleted', orgId);
    else if (roll < 0.4 && this.pending.length > 0) {
      // EventBridge delivers in any order.
      const index = Math.floor(rng.next() * this.pending.length);
      const [event] = this.pending.splice(index, 1);
      await this.deliver(event as PosEvent);
    } else if (roll < 0.45 && this.delivered.length > 0) await this.deliver(rng.pick(this.delivered)); // a duplicate or replay
    else if (roll < 0.5) this.sfn.failNextStart = true; // the next router call crashes after its write
    else if (roll < 0.55) await this.operatorRestore(orgId);
    else if (roll < 0.6) this.age();
    else if (roll < 0.68 && this.sfn.statusEvents.length > 0) {
      const index = Math.floor(rng.next() * this.sfn.statusEvents.length);
      const [event] = this.sfn.statusEvents.splice(index, 1);
      await this.deliverStatusEvent(event as StatusEvent);
    } else if (roll < 0.72 && this.sfn.running().length > 0) {
      // A step gives up after its retries: the run fails there, uncaught.
      this.sfn.close(rng.pick(this.sfn.running()), 'FAILED', 'States.TaskFailed');
    } else if (roll < 0.76) await this.operatorRedrive(orgId.toLowerCase());
    else if (roll < 0.78) {
      // A redrive from the console, without asking the ledger: the tracker must stop it if it is superseded.
      const closed = [...this.sfn.executions.values()].filter((e) => e.status === 'FAILED' || e.status === 'ABORTED');
      if (closed.length > 0) this.sfn.redrive(rng.pick(closed));
    } else if (this.sfn.running().length > 0) await this.step(rng.pick(this.sfn.running()));
    this.steps++;
    await this.check();
  }
}

/** The functions' cores, each run as its function (its SDK calls held to its role). */
interface Modules {
  routeOrgEvent: typeof routeOrgEvent;
  recordTenantState: typeof recordTenantState;
  trackExecutionStatus: typeof trackExecutionStatus;
  applyLifecycle: typeof applyLifecycle;
}

let pipeline: LocalPipeline;
/** A ledger table of its own, so the live count can be checked against the items (other test files share the emulator). */
let ledger: LedgerStore;
const TABLE = `tenant-provisioner-model-${RUN_TAG}`;
beforeAll(async () => {
  pipeline = await integrationPipeline();
  const { dynamodb } = pipeline.clients;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'slug', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'slug', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: TABLE });
  ledger = new DynamoLedgerStore(dynamodb, TABLE);
});
afterAll(async () => {
  await pipeline?.clients.dynamodb.send(new DeleteTableCommand({ TableName: TABLE })).catch(() => undefined);
  await pipeline?.stop();
});

describe('the tenant ledger in random interleavings', () => {
  it('keeps every invariant after every step, and every org ends as its latest event says', async () => {
    // Each Lambda's core runs as that function, so its SDK calls are held to its role (test/support/sdk-calls/).
    const asFunction =
      <A extends unknown[], R>(functionKey: string, core: (...args: A) => Promise<R>) =>
      (...args: A) =>
        runAsFunction(functionKey, () => core(...args));
    const modules: Modules = {
      routeOrgEvent: asFunction('routeOrgEvent', routeOrgEvent),
      recordTenantState: asFunction('recordTenantState', recordTenantState),
      trackExecutionStatus: asFunction('trackExecutionStatus', trackExecutionStatus),
      applyLifecycle,
    };
    const { config } = pipeline;
    const logger = createLogger();
    const quiet = { info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => logger.error(String(args[0])) };
    const baseSeed = process.env.LEDGER_MODEL_SEED ? Number(process.env.LEDGER_MODEL_SEED) : Date.now() % 1_000_000;
    const runs = process.env.LEDGER_MODEL_SEED ? 1 : RUNS;
    let steps = 0;
    let events = 0;
    const ended = { deleted: 0, active: 0 };

    for (let run = 0; run < runs; run++) {
      const seed = baseSeed + run;
      const orgIds = Array.from({ length: ORGS_PER_RUN }, (_, i) => `lm-${RUN_TAG}-${seed}-${i}`);
      const world = new World(random(seed), orgIds, ledger, { eventBridge: pipeline.clients.eventBridge, config, logger: quiet }, modules);
      try {
        world.put('OrgCreated', orgIds[0] as string);
        for (let i = 0; i < STEPS; i++) await world.randomStep();
        await world.drain();
        await world.checkEnd();
      } catch (err) {
        // A violation found after a step says what the world looked like, and how it got there.
        const world_ = err instanceof Violation && !(err as Error).message.includes('\nlog:\n') ? `\n${await world.describe()}` : '';
        throw new Error(`Interleaving ${run} (LEDGER_MODEL_SEED=${seed}) broke after ${world.steps} steps: ${(err as Error).message}${world_}`, { cause: err });
      }
      steps += world.steps;
      events += world.delivered.length;
      for (const orgId of orgIds) {
        const state = (await ledger.get(orgId.toLowerCase()))?.state;
        if (state === 'deleted') ended.deleted++;
        if (state === 'active') ended.active++;
      }
    }

    // The live count the quota is enforced with agrees with the items.
    let live = 0;
    for await (const item of ledger.list()) if (isLive(item.state)) live++;
    const counted = await ledger.liveTenants();
    expect(counted).toBe(live);

    expect(steps).toBeGreaterThan(runs * STEPS);
    expect(ended.active + ended.deleted).toBeGreaterThan(0);
    process.stdout.write(
      `ledger model: ${runs} interleavings (seeds ${baseSeed}–${baseSeed + runs - 1}), ${steps} steps checked, ${events} events delivered; orgs ended active ${ended.active}, deleted ${ended.deleted}; live count ${counted} = ${live} live items; 0 violations\n`,
    );
  });
});
