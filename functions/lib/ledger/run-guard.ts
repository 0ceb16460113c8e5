import { TenantRunSupersededError } from '../errors';
import type { TenantRef } from '../types';
import { runMayAct } from './lifecycle';
import type { LedgerStore } from './store';

/**
 * Asks the tenant ledger (a consistent read) whether this run is still the tenant's own, before a
 * step changes anything of the tenant: creating or configuring its bucket or user, issuing a key,
 * revoking or restoring access, putting the bucket policy. Step Functions redrives a failed run at
 * its failed state, past its ConfirmTenantRun, so each such step checks for itself: a run the
 * ledger has moved past (a provisioning an OrgDeleted superseded, an old generation's run, a
 * teardown a restore undid), redriven from the console before the status tracker stops it, ends
 * at its first step, having changed nothing.
 * @throws TenantRunSupersededError (permanent: the run ends as superseded).
 */
export async function assertRunMayAct(ledger: Pick<LedgerStore, 'get'>, tenant: Pick<TenantRef, 'slug' | 'provisionedBy' | 'executionName'>, what: string): Promise<void> {
  const verdict = runMayAct(await ledger.get(tenant.slug), tenant.provisionedBy);
  if (!verdict.allowed) throw new TenantRunSupersededError(`${tenant.executionName} may not ${what}: ${verdict.reason}`);
}
