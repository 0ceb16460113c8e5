import { isFailed, type ExecutionRecord, type RedriveResult } from '../../functions/lib/executions';
import { decide } from '../../functions/lib/ledger/lifecycle';
import type { TenantLedgerItem } from '../../functions/lib/ledger/model';
import { tenantSlug } from '../../functions/lib/naming';
import { withInvocation } from '../invocation';
import type { OperatorContext } from './ledger';

/** Whether an execution can usefully be redriven now, and if not, why and what would help instead. */
export interface RedriveAssessment {
  redrivable: boolean;
  reason?: string;
  /** A command that would help instead (only one the lifecycle rules would accept). */
  suggestion?: string;
  /** What an operator must do before a redrive can succeed (the run parked on something only they can lift). */
  firstDo?: string;
}

/** Errors that park a run on something outside the product, and what lifts it. */
const LIFTED_BY_AN_OPERATOR: Record<string, string> = {
  TenantObjectsLockedError:
    "lift what holds the versions S3 refuses to delete — their Object Lock legal hold, GOVERNANCE retention (with s3:BypassGovernanceRetention), the bucket's MFA delete — or wait until their retention ends (the error says which, and until when); a redrive before that parks again",
};

/** Transient errors that mean AWS is still settling something: what, and how long the ASL retries. */
const SETTLING: Record<string, { what: string; retried: string }> = {
  BucketNameSettlingError: { what: 'S3 is still settling an operation on the bucket name (its deletion moments before, typically)', retried: 'up to 17 minutes' },
  AccessKeyQuotaSettlingError: { what: 'IAM still counts access keys deleted moments before', retried: 'up to about 2 minutes' },
  TenantPolicyNotReadyError: { what: 'a Block Public Access setting or another change on the bucket has not reached S3 yet', retried: 'up to about 3 minutes' },
  TenantCredentialsNotReadyError: { what: "IAM has not yet propagated the tenant's new access key", retried: 'up to about 8 minutes' },
};

/** What a step retrying with `error` is waiting for, when AWS is still settling something. */
export function settlingNote(error: string | undefined): string | undefined {
  const settling = error === undefined ? undefined : SETTLING[error];
  return settling && `${settling.what}: retried for ${settling.retried}`;
}

/** `provision --new-generation`, when the lifecycle rules would start one for this tenant now. */
export function newGenerationSuggestion(item: TenantLedgerItem | undefined, orgId: string, ctx: OperatorContext): string | undefined {
  const decided = decide(item, { kind: 'new-generation', orgId: item?.orgId ?? orgId, by: 'tenantctl' }, ctx);
  return decided.outcome === 'started' ? `${ctx.tenantctl} provision ${item?.orgId ?? orgId} --new-generation` : undefined;
}

/**
 * Judges one execution of a tenant against the ledger and Step Functions' rules:
 * - an execution that ended in a `Fail` state chose to fail (after compensating): a redrive
 *   re-enters that state and fails again — a new generation is what helps;
 * - only the run the tenant's ledger waits on (its parked run, or its current execution) may be
 *   redriven: the lifecycle rules call any other `superseded` (a provisioning an OrgDeleted
 *   stopped, a run of an older generation) — redriving it could undo what came after;
 * - Step Functions redrives only what ended within 14 days (`redriveStatus`).
 */
export function assessRedrive(record: ExecutionRecord, orgId: string, item: TenantLedgerItem | undefined, ctx: OperatorContext): RedriveAssessment {
  if (!isFailed(record.status)) return { redrivable: false, reason: `it is ${record.status}; only a failed, timed-out or aborted execution can be redriven` };
  const newGeneration = newGenerationSuggestion(item, orgId, ctx);

  if (record.failedStateType === 'Fail') {
    const rolledBack = record.workflow === 'provision' && record.failedState === 'ProvisioningFailed' ? ' after rolling back what it had created' : '';
    return {
      redrivable: false,
      reason: `it ended in its Fail state ${record.failedState ?? ''}${rolledBack} (${record.error ?? 'error'}): a redrive would re-enter that Fail state and fail again`,
      ...(newGeneration ? { suggestion: `fix the cause, then: ${newGeneration}` } : {}),
    };
  }

  const resumed = decide(item, { kind: 'resume', slug: item?.slug ?? tenantSlug(orgId), executionArn: record.executionArn, by: 'tenantctl redrive' }, ctx);
  if (resumed.outcome !== 'recorded') {
    return { redrivable: false, reason: withInvocation(resumed.reason ?? `it is not a run tenant ${tenantSlug(orgId)} waits on`, ctx.tenantctl), ...(newGeneration ? { suggestion: newGeneration } : {}) };
  }

  if (record.redriveStatus === 'NOT_REDRIVABLE') {
    return {
      redrivable: false,
      reason: `Step Functions will not redrive it: ${record.redriveStatusReason ?? 'not redrivable'}`,
      ...(newGeneration ? { suggestion: newGeneration } : {}),
    };
  }
  const settling = record.error === undefined ? undefined : SETTLING[record.error];
  const firstDo = record.error === undefined ? undefined : (LIFTED_BY_AN_OPERATOR[record.error] ?? (settling && `wait a few minutes: ${settling.what}`));
  return { redrivable: true, ...(firstDo ? { firstDo } : {}) };
}

/** What a redrive does, said before it runs. */
export function redriveAheadText(from: RedriveResult['redriveFrom'], failedState: string | undefined): string {
  return from === 'start' ? 're-runs from the start (local runner: every step is idempotent)' : `resumes at the failed state${failedState ? ` ${failedState}` : ''}`;
}

/** What a redrive did, said after it ran. */
export function redriveResultText(from: RedriveResult['redriveFrom'], failedState: string | undefined): string {
  return from === 'start' ? 're-ran from the start (local runner)' : `resumed at the failed state${failedState ? ` ${failedState}` : ''}`;
}
