import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as errors from '../../../functions/lib/errors';

/** What these tests read of a state. */
export interface Retrier { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number; JitterStrategy?: string }
export interface Catcher { ErrorEquals: string[]; Next: string; ResultPath?: string }
export interface State {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ResultPath?: string;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  End?: boolean;
  Seconds?: number;
  SecondsPath?: string;
  ErrorPath?: string;
  CausePath?: string;
}
export interface Definition { StartAt: string; States: Record<string, State> }

export const MACHINES = ['provision-tenant', 'teardown-tenant', 'restore-tenant'] as const;
export type Machine = (typeof MACHINES)[number];

/** A fresh copy of a state machine definition (statemachine/<machine>.asl.json). */
export function loadMachine(machine: Machine): Definition {
  return JSON.parse(readFileSync(join(__dirname, '../../../statemachine', `${machine}.asl.json`), 'utf8')) as Definition;
}

/** The Task states that run record-tenant-state: the workflow's steps the tenant ledger may refuse. */
export function ledgerSteps(definition: Definition): string[] {
  return Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task' && state.Resource === '${RecordTenantStateFunctionArn}')
    .map(([name]) => name);
}

/** The functions that change a tenant before its run's end is recorded, each asking the ledger first whether its run still may (lib/ledger/run-guard.ts). */
export const GUARDED_FUNCTIONS = [
  '${CreateTenantBucketFunctionArn}',
  '${ClaimTenantPrefixFunctionArn}',
  '${ConfigureTenantBucketFunctionArn}',
  '${CreateTenantUserFunctionArn}',
  '${IssueTenantCredentialsFunctionArn}',
  '${ApplyTenantBucketPolicyFunctionArn}',
  '${RevokeTenantAccessFunctionArn}',
  '${RestoreTenantAccessFunctionArn}',
];

/** The steps where the ledger can refuse a run (TenantRunSupersededError): the ledger steps and the guarded steps. */
export function ledgerRefusingSteps(definition: Definition): string[] {
  return Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task' && (state.Resource === '${RecordTenantStateFunctionArn}' || GUARDED_FUNCTIONS.includes(state.Resource ?? '')))
    .map(([name]) => name);
}

/** The states a state can go to next: Next, a Choice's branches and Default, every Catch. */
export function successors(state: State): string[] {
  return [state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next), ...(state.Catch ?? []).map((catcher) => catcher.Next)].filter(
    (name): name is string => name !== undefined,
  );
}

/** Every state reachable from StartAt without passing through `avoiding`. */
export function reachable(definition: Definition, avoiding: string[] = []): Set<string> {
  const seen = new Set<string>();
  const queue = avoiding.includes(definition.StartAt) ? [] : [definition.StartAt];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = definition.States[name];
    if (!state) throw new Error(`No state ${name}`);
    for (const next of successors(state)) if (!avoiding.includes(next) && !seen.has(next)) queue.push(next);
  }
  return seen;
}

/** Domain error classes exported from the errors module, by their literal name. */
export const exportedErrorNames = (Object.values(errors) as unknown[])
  .filter((value): value is new (message: string) => Error => typeof value === 'function' && value.prototype instanceof Error)
  // The abstract bases are kinds, not errors a step throws.
  .filter((ErrorClass) => ErrorClass !== (errors.PermanentError as unknown) && ErrorClass !== (errors.TransientError as unknown))
  .map((ErrorClass) => new ErrorClass('probe').name);

/** Every name in a Retry or Catch of these definitions. */
export function errorNamesIn(definitions: Definition[]): Set<string> {
  return new Set(definitions.flatMap((d) => Object.values(d.States).flatMap((s) => [...(s.Retry ?? []), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals))));
}

/** Step Functions' and Lambda's own error names, and AWS's throttling errors (errors.ts AWS_THROTTLING_ERROR_NAMES), which no domain class has. */
export const isServiceName = (name: string) => name.startsWith('States.') || name.startsWith('Lambda.') || errors.AWS_THROTTLING_ERROR_NAMES.includes(name);

/**
 * The retrier that handles an error of this name (the first whose ErrorEquals names it, or
 * `States.ALL`), as Step Functions picks it; undefined when none does.
 */
export function retrierFor(state: State, errorName: string): Retrier | undefined {
  return state.Retry?.find((retrier) => retrier.ErrorEquals.includes(errorName) || retrier.ErrorEquals.includes('States.ALL'));
}

/** Least total wait a retrier guarantees before giving up (no jitter assumed to shorten it). */
export function guaranteedWaitSeconds(retrier: Retrier): number {
  if (retrier.JitterStrategy === 'FULL') return 0;
  let total = 0;
  for (let attempt = 0; attempt < (retrier.MaxAttempts ?? 3); attempt++) {
    const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
    total += Math.min(delay, retrier.MaxDelaySeconds ?? Infinity);
  }
  return total;
}
