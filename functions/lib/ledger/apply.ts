import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Config } from '../config';
import type { ExecutionPort, Workflow } from '../executions';
import { runIdOf } from '../naming';
import { putEvent } from '../publish';
import { decide, quotaRefusal, slugOf, type Decision, type DecisionContext, type LifecycleEffect, type LifecycleOutcome, type LifecycleRequest } from './lifecycle';
import type { TenantLedgerItem, TenantState } from './model';
import type { LedgerStore } from './store';

/** Reports the live-tenant count after it changed (Powertools Metrics in Lambda; see functions/lib/metrics.ts). */
export type LiveTenantsMetric = (liveTenants: number, quota: number) => void;

/** What every ledger writer needs. A workflow's ledger step needs only this: its decisions start, stop and emit nothing. */
export interface LedgerDeps {
  ledger: LedgerStore;
  config: Config;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: LiveTenantsMetric;
  now?: () => Date;
  /** Run ids (default: naming.ts `runIdOf` with 12 random hex digits). */
  newRunId?: (executionName: string) => string;
}

/** The router, the status tracker and tenantctl: their decisions start and stop runs and emit events. */
export interface LifecycleDeps extends LedgerDeps {
  executions: Pick<ExecutionPort, 'start' | 'stop' | 'executionArn'>;
  eventBridge: EventBridgeClient;
}

type ApplyDeps = LedgerDeps & Partial<Pick<LifecycleDeps, 'executions' | 'eventBridge'>>;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`This ledger writer has no ${what}: it cannot carry out the decision`);
  return value;
}

/** What happened to a request: the decision's outcome and the tenant as the ledger now has it. */
export interface LifecycleResult {
  action: LifecycleOutcome;
  slug: string;
  /** The tenant's state after the request (absent when the ledger has no item). */
  state?: TenantState;
  generation?: number;
  /** The run the outcome concerns: started, or the one to follow. */
  workflow?: Workflow;
  executionName?: string;
  reason?: string;
  /** `rejected`/`refused`: the error name (OrgProvisioningFailed's `error`). */
  error?: string;
  /** A run this request stopped (a provisioning or restore ended by OrgDeleted, a teardown ended by a restore). */
  stopped?: { workflow: Workflow; name: string };
  /** The tenant's ledger item after the request. */
  item?: TenantLedgerItem;
}

/** Transient: the tenant's item kept changing under the decision (each write lost a race). Lambda retries the event. */
export class LedgerContentionError extends Error {
  override readonly name = 'LedgerContentionError';
}

/** How many times a request is decided again after losing a write race before giving up (transiently). */
export const MAX_DECISION_ATTEMPTS = 8;

export function decisionContext(deps: Pick<ApplyDeps, 'config' | 'executions' | 'now' | 'newRunId'>): DecisionContext {
  return {
    now: (deps.now ?? (() => new Date()))(),
    config: deps.config,
    executionArn: (workflow, name) => need(deps.executions, 'execution port').executionArn(workflow, name),
    newRunId: deps.newRunId ?? ((name) => runIdOf(name)),
  };
}

async function carryOut(effects: LifecycleEffect[], decided: Decision, deps: ApplyDeps): Promise<void> {
  for (const effect of effects) {
    if (effect.kind === 'stop') {
      await need(deps.executions, 'execution port').stop(effect.workflow, effect.name, { error: effect.error, cause: effect.cause });
    } else if (effect.kind === 'start') {
      const started = await need(deps.executions, 'execution port').start(effect.workflow, effect.name, effect.input);
      if (!started.started && decided.outcome === 'started') {
        // Only a closed execution of the same name with another input answers this: the ledger
        // never hands out a name twice, so its record of this tenant is not what Step Functions has.
        deps.logger.error('StartExecution refused a name the ledger just recorded: an execution of that name exists already', {
          workflow: effect.workflow,
          executionName: effect.name,
          metric: 'LedgerExecutionNameTaken',
        });
      }
    } else {
      await putEvent(need(deps.eventBridge, 'EventBridge client'), deps.config, effect.detailType, effect.detail);
    }
  }
}

/**
 * Decides `request` against the tenant's ledger item (lifecycle.ts), writes the decision
 * conditioned on the version it read — the write is the lock: of two requests handled at once
 * exactly one wins, and the other reads the item again and decides again — then carries out its
 * effects (stop a run, start one, emit an event). A crash after the write is repaired by
 * repeating the request: a repeated request finds its own write and repeats the effects, each of
 * which is idempotent (StartExecution with the recorded name and input, StopExecution).
 *
 * @throws LedgerContentionError after {@link MAX_DECISION_ATTEMPTS} lost races (transient).
 * SDK errors (DynamoDB, Step Functions, EventBridge) and EventPublishError are rethrown.
 */
export async function applyLifecycle(request: LifecycleRequest, deps: ApplyDeps): Promise<LifecycleResult> {
  const slug = slugOf(request);
  for (let attempt = 1; attempt <= MAX_DECISION_ATTEMPTS; attempt++) {
    const item = await deps.ledger.get(slug);
    const ctx = decisionContext(deps);
    let decided = decide(item, request, ctx);
    let after = item;
    if (decided.write) {
      const { next, liveDelta, withinQuota } = decided.write;
      const outcome = await deps.ledger.write(next, item?.version, liveDelta, withinQuota ? deps.config.tenantQuota : undefined);
      if (outcome === 'conflict') continue;
      if (outcome === 'quota-exceeded') {
        decided = quotaRefusal(request, deps.config.tenantQuota, ctx);
        deps.logger.warn('Tenant quota reached: request refused', { slug, kind: request.kind, quota: deps.config.tenantQuota, metric: 'TenantQuotaReached' });
      } else {
        after = next;
        if (liveDelta !== 0 && deps.metrics) deps.metrics(await deps.ledger.liveTenants(), deps.config.tenantQuota);
      }
    }
    await carryOut(decided.effects, decided, deps);
    return {
      action: decided.outcome,
      slug,
      ...(after ? { state: after.state, generation: after.generation, item: after } : {}),
      ...(decided.workflow ? { workflow: decided.workflow } : {}),
      ...(decided.executionName ? { executionName: decided.executionName } : {}),
      ...(decided.reason ? { reason: decided.reason } : {}),
      ...(decided.error ? { error: decided.error } : {}),
      ...(decided.stops ? { stopped: decided.stops } : {}),
    };
  }
  throw new LedgerContentionError(`Tenant ${slug}'s ledger item changed under ${MAX_DECISION_ATTEMPTS} decisions in a row; the request is retried`);
}
