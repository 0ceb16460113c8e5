import type { ExecutionStatus, Workflow } from '../../functions/lib/executions';
import { executionName } from '../../functions/lib/naming';
import type { RouteResult } from '../../functions/route-org-event';
import { isRunning, latestOf, orgIdOf, type TenantGeneration } from './generations';

/**
 * What the router does (or did) with an OrgCreated/OrgDeleted, as far as the operator's
 * command is concerned: an execution to follow, or an answer without one.
 */
export type RouteOutcome =
  /** The router starts (started) this execution. */
  | { kind: 'started'; workflow: Workflow; name: string }
  /** The execution already runs (a duplicate event): follow it. */
  | { kind: 'running'; workflow: Workflow; name: string; status?: ExecutionStatus }
  /** Nothing to do: the tenant is already in the state asked for. */
  | { kind: 'done'; workflow: Workflow; name: string; message: string }
  /** The router leaves it to operators, or rejects it: nothing starts. */
  | { kind: 'parked'; workflow: Workflow; name?: string; message: string }
  | { kind: 'rejected'; workflow: Workflow; name?: string; message: string };

function caseCollision(orgId: string, generations: TenantGeneration[]): string | undefined {
  const latest = latestOf(generations);
  const existing = orgIdOf(latest?.provision ?? latest?.teardown);
  return existing && existing !== orgId ? `orgId ${JSON.stringify(orgId)} collides case-insensitively with existing org ${JSON.stringify(existing)}` : undefined;
}

/** The router's decision for OrgCreated (functions/route-org-event.ts), predicted from the tenant's executions. */
export function expectOrgCreated(orgId: string, slug: string, generations: TenantGeneration[]): RouteOutcome {
  const latest = latestOf(generations, 'provision');
  if (!latest?.provision) return { kind: 'started', workflow: 'provision', name: executionName(slug) };
  const collision = caseCollision(orgId, generations);
  if (collision) return { kind: 'rejected', workflow: 'provision', message: `the router rejects it: ${collision}` };
  const { provision, teardown } = latest;
  if (isRunning(provision.status)) return { kind: 'running', workflow: 'provision', name: provision.name, status: provision.status };
  if (teardown) {
    if (teardown.status === 'SUCCEEDED') return { kind: 'started', workflow: 'provision', name: executionName(slug, latest.generation + 1) };
    if (isRunning(teardown.status)) {
      return { kind: 'rejected', workflow: 'provision', name: teardown.name, message: `the teardown of its previous generation (${teardown.name}, ${teardown.status}) is still running; provision again after it ends` };
    }
    return { kind: 'parked', workflow: 'teardown', name: teardown.name, message: `the teardown ${teardown.name} did not finish (${teardown.status}): finish it first with \`tenantctl redrive ${orgId}\`` };
  }
  if (provision.status === 'SUCCEEDED') {
    return { kind: 'done', workflow: 'provision', name: provision.name, message: `the tenant already exists (${provision.name} SUCCEEDED); the router re-emits OrgProvisioned` };
  }
  return {
    kind: 'parked',
    workflow: 'provision',
    name: provision.name,
    message: `its provisioning ${provision.name} ${provision.status}; the router leaves that to operators: \`tenantctl redrive ${orgId}\` or \`tenantctl provision ${orgId} --new-generation\``,
  };
}

/** The router's decision for OrgDeleted, predicted from the tenant's executions. */
export function expectOrgDeleted(orgId: string, slug: string, generations: TenantGeneration[]): RouteOutcome {
  const latest = latestOf(generations, 'provision');
  const collision = caseCollision(orgId, generations);
  if (collision) return { kind: 'rejected', workflow: 'teardown', message: `the router rejects it: ${collision}` };
  const name = executionName(slug, latest?.generation ?? 1);
  const teardown = generations.find((generation) => generation.name === name)?.teardown;
  if (!teardown) return { kind: 'started', workflow: 'teardown', name };
  const provision = latest?.provision;
  if (provision && teardown.startDate.getTime() < provision.startDate.getTime()) {
    // The router's check (route-org-event.ts): an OrgDeleted that came before any OrgCreated took this name.
    return {
      kind: 'parked',
      workflow: 'teardown',
      name,
      message: `its teardown ${name} started before the provisioning ${provision.name} it should tear down (an OrgDeleted that came before OrgCreated); the router leaves that to operators: see \`tenantctl status ${orgId}\``,
    };
  }
  if (isRunning(teardown.status)) return { kind: 'running', workflow: 'teardown', name, status: teardown.status };
  if (teardown.status === 'SUCCEEDED') return { kind: 'done', workflow: 'teardown', name, message: `the tenant was already torn down (${name} SUCCEEDED)` };
  return { kind: 'parked', workflow: 'teardown', name, message: `its teardown ${name} ${teardown.status}; the router leaves that to operators: \`tenantctl redrive ${orgId}\`` };
}

/** What the router did, as reported by the local pipeline (it ran in-process). */
export function routedOutcome(route: RouteResult, expected: RouteOutcome, orgId: string): RouteOutcome {
  const workflow = route.workflow ?? expected.workflow;
  const name = route.executionName;
  switch (route.action) {
    case 'started':
      return { kind: 'started', workflow, name: name ?? '' };
    case 'duplicate':
      if (name && (!route.status || isRunning(route.status))) return { kind: 'running', workflow, name, ...(route.status ? { status: route.status } : {}) };
      return { kind: 'done', workflow, name: name ?? '', message: workflow === 'teardown' ? `the tenant was already torn down (${name ?? ''} ${route.status ?? ''})` : `${name ?? ''} is ${route.status ?? 'done'}` };
    case 'reprovisioned-event':
      return { kind: 'done', workflow, name: name ?? '', message: `the tenant already exists (${name ?? ''} SUCCEEDED); OrgProvisioned was emitted again` };
    case 'parked':
      return {
        kind: 'parked',
        workflow,
        ...(name ? { name } : {}),
        message: `${name ?? 'its execution'} ${route.status ?? 'failed'}; the router leaves that to operators: \`tenantctl redrive ${orgId}\`${workflow === 'provision' ? ` or \`tenantctl provision ${orgId} --new-generation\`` : ''}`,
      };
    default:
      return { kind: 'rejected', workflow, ...(name ? { name } : {}), message: `the router rejected it: ${route.reason ?? 'no reason given'}` };
  }
}
