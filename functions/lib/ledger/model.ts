/**
 * The tenant ledger's record: one item per tenant slug, never deleted (a torn-down tenant's
 * item stays as a tombstone that keeps the generation counter). It is the source of truth for
 * a tenant's life; execution names and ARNs are derived from it and recorded in it, never the
 * other way round (Step Functions forgets a closed execution 90 days after it ends).
 */
import type { Workflow } from '../executions';
import { tenantNames, type NamingConfig } from '../naming';
import type { OrgProvisionedDetail } from '../publish';

/**
 * - `provisioning`: a provision-tenant run of the current generation is under way.
 * - `active`: provisioned; the tenant has its bucket, user, key and secret.
 * - `rolled-back`: provisioning met a permanent error and removed what that run created.
 * - `parked`: a run gave up on a transient error after its retries; an operator redrives it
 *   (`parked.from` is the state it was in, which a redrive returns to).
 * - `revoking`: OrgDeleted accepted; the teardown is revoking access.
 * - `retained`: access revoked, data kept until `teardown.retainedUntil`; still restorable.
 * - `deleting`: the teardown has begun deleting; no way back.
 * - `deleted`: everything is gone; the item is the tombstone.
 * - `restoring`: a restore-tenant run is giving access back.
 */
export const TENANT_STATES = ['provisioning', 'active', 'rolled-back', 'parked', 'revoking', 'retained', 'deleting', 'deleted', 'restoring'] as const;
export type TenantState = (typeof TENANT_STATES)[number];

import type { Tenancy } from '../config';

export type { Tenancy };

/** An execution the ledger started: recorded before it starts, so a crash in between is repaired by a retry. */
export interface LedgerExecution {
  workflow: Workflow;
  name: string;
  arn: string;
  /** Unique for all time (naming.ts `runIdOf`); the workflow's ledger steps must present it. */
  runId: string;
  /** When the ledger decided to start it. */
  startedAt: string;
  /** The exact execution input, so a repeated StartExecution is idempotent. */
  input: Record<string, unknown>;
  /** The run this one superseded and stopped first (a provisioning or restore ended by OrgDeleted, a teardown ended by a restore): a repeated request stops it again. */
  stops?: { workflow: Workflow; name: string };
}

export interface LedgerTeardown extends LedgerExecution {
  retentionDays: number;
  /** Set when access was revoked: deletion begins then. */
  retainedUntil?: string;
  /** The access keys the teardown deactivated; a restore activates exactly these again. */
  keysDeactivated?: string[];
  /**
   * A teardown whose bucket deletion continued as new (it came near Step Functions' history limit):
   * this execution is its part `part` (2, 3, …); `earlierParts` are the executions before it, oldest first.
   */
  part?: number;
  earlierParts?: TeardownPart[];
}

/** An earlier execution of a teardown that continued as new. */
export interface TeardownPart {
  name: string;
  arn: string;
  runId: string;
  startedAt: string;
}

/** A run that gave up after its retries: what an operator needs to redrive it. */
export interface ParkedRun {
  workflow: Workflow;
  /** The state the tenant was in; a redrive returns to it. */
  from: TenantState;
  executionName: string;
  executionArn: string;
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  error?: string;
  cause?: string;
  at: string;
}

/** The names of a tenant's resources; the bucket (and ARNs) once a provisioning has found them. */
export interface TenantResources {
  /** The tenant's bucket; for a prefix tenant, the shared bucket its prefix is in (known from the start). */
  bucket?: string;
  /** A prefix tenant's prefix of the shared bucket `bucket` (ends with `/`). */
  prefix?: string;
  userName: string;
  secretName: string;
  userArn?: string;
  secretArn?: string;
  publicBaseUrl?: string;
}

/** One step of a tenant's life: who or what moved it, when and why. */
export interface LedgerTransition {
  at: string;
  from: TenantState | null;
  to: TenantState;
  by: string;
  reason: string;
}

export interface TenantLedgerItem {
  /** The key: the tenant slug (the orgId in lower case). */
  slug: string;
  /** The orgId as the organisation's first event gave it. */
  orgId: string;
  orgName?: string;
  /**
   * How the current generation is provisioned: its own bucket, or a prefix of the stage's shared
   * bucket. Decided when a generation starts (the stage's setting then) and kept for the tenant's
   * life, so a stage can change its setting without stranding a tenant.
   */
  tenancy: Tenancy;
  /** The current generation: 1 for the first provisioning, +1 for each one after a teardown or rollback; 0 for a tombstone of an OrgDeleted that came before any OrgCreated. */
  generation: number;
  state: TenantState;
  /** Where the tenant's bucket is: every teardown and restore goes there. */
  region: string;
  resources: TenantResources;
  /** The current generation's provisioning. */
  provision?: LedgerExecution;
  /** The current generation's latest teardown. */
  teardown?: LedgerTeardown;
  /**
   * A bucket the teardown emptied and keeps, locked down, until `until` (keepEmptyBucketAfterTeardownDays),
   * which the teardown's last part then deletes; `deletingSince` once that deletion has begun. A new
   * generation adopts the bucket instead (and the ledger forgets it here).
   */
  keptBucket?: { name: string; until: string; deletingSince?: string };
  /** The current generation's latest restore. */
  restore?: LedgerExecution;
  /** Teardowns and restores started in the current generation (for their names). */
  teardowns: number;
  restores: number;
  parked?: ParkedRun;
  /** The OrgProvisioned detail of the current generation, re-emitted for a repeated OrgCreated. */
  provisioned?: OrgProvisionedDetail;
  /** The `time` of the latest OrgCreated (or operator action) that started a generation or a restore. */
  lastCreatedAt?: string;
  /** The `time` of the latest OrgDeleted that started a teardown (or was recorded for an unknown tenant). */
  lastDeletedAt?: string;
  createdAt: string;
  updatedAt: string;
  /** When the tenant entered its current state. */
  stateSince: string;
  /** Optimistic concurrency: every write requires the version it read and stores version + 1. */
  version: number;
  /** The latest transitions, oldest first (at most {@link HISTORY_LIMIT}). */
  history: LedgerTransition[];
}

/** How many transitions an item keeps. */
export const HISTORY_LIMIT = 25;

/** The key of the item that counts live tenants (a slug can never start with `#`). */
export const LIVE_COUNTER_KEY = '#live-tenants';

/** A tenant in one of these states may hold an IAM user, so it counts against the account's IAM user quota. */
export function isLive(state: TenantState | undefined): boolean {
  return state !== undefined && state !== 'rolled-back' && state !== 'deleted';
}

/** The runs the item records for its current generation (provision, teardown, restore; those there are). */
export function recordedRuns(item: TenantLedgerItem): LedgerExecution[] {
  return [item.provision, item.teardown, item.restore].filter((run): run is LedgerExecution => run !== undefined);
}

/** The recorded run with this ARN, if the item has one. */
export function recordedRun(item: TenantLedgerItem, arn: string): LedgerExecution | undefined {
  return recordedRuns(item).find((run) => run.arn === arn);
}

/** The run the item records for `workflow`. */
export function runOfWorkflow(item: TenantLedgerItem, workflow: Workflow): LedgerExecution | undefined {
  return workflow === 'provision' ? item.provision : workflow === 'teardown' ? item.teardown : item.restore;
}

/**
 * What the ledger knows of an org it has no item for, before its first transition: generation 0,
 * version 0, no history, the tenant's resource names in `region`.
 */
export function unrecordedItem(orgId: string, region: string, config: NamingConfig, at: string): TenantLedgerItem {
  const names = tenantNames(orgId, region, config);
  return {
    slug: names.slug,
    orgId,
    tenancy: 'bucket',
    generation: 0,
    state: 'deleted',
    region,
    resources: { userName: names.userName, secretName: names.secretName },
    teardowns: 0,
    restores: 0,
    createdAt: at,
    updatedAt: at,
    stateSince: at,
    version: 0,
    history: [],
  };
}

/** The execution the tenant's current state is waiting on, if any. */
export function currentExecution(item: TenantLedgerItem): LedgerExecution | undefined {
  switch (item.state) {
    case 'provisioning':
      return item.provision;
    case 'revoking':
    case 'retained':
    case 'deleting':
      return item.teardown;
    case 'restoring':
      return item.restore;
    case 'parked':
      return item.parked ? recordedRun(item, item.parked.executionArn) : undefined;
    default:
      return undefined;
  }
}

/** The state a parked tenant returns to when its run is redriven, or the state itself. */
export function effectiveState(item: TenantLedgerItem): TenantState {
  return item.state === 'parked' && item.parked ? item.parked.from : item.state;
}
