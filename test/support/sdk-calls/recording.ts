/**
 * The SDK commands each function sent during a test file, as the IAM actions they need, and
 * the check that holds them to what the security suite proves each function's role allows
 * (STEP_CALLS in test/security/support/step-calls.ts). Inputs are read once, for the actions,
 * and never kept: a PutSecretValue's secret must not end up in a report.
 */
import { join } from 'node:path';
import { iamActionsOf } from './iam-actions';

/** Where the setup file writes each test file's recording (gitignored), for summary.ts. */
export const RECORDINGS_DIR = join(__dirname, '../../../.local/sdk-calls');

/** One kind of call a function made: an operation, and the actions it needed (undefined: unmapped). */
export interface FunctionCall {
  functionKey: string;
  /** `S3.CreateBucket`. */
  operation: string;
  actions: string[] | undefined;
  count: number;
  /** The first few tests that made it (`(hook)` outside a test). */
  tests: string[];
}

export interface SentCommand {
  /** The function whose invocation sent it; undefined when no function's code was running (the test, tenantctl, the local stack). */
  functionKey: string | undefined;
  operation: string;
  input: unknown;
  test?: string;
}

const TESTS_KEPT = 3;

export class SdkCallRecording {
  private readonly calls = new Map<string, FunctionCall>();
  private readonly outside = new Map<string, number>();

  record({ functionKey, operation, input, test }: SentCommand): void {
    if (functionKey === undefined) {
      this.outside.set(operation, (this.outside.get(operation) ?? 0) + 1);
      return;
    }
    const actions = iamActionsOf(operation, input);
    const key = JSON.stringify([functionKey, operation, actions ?? null]);
    const call = this.calls.get(key) ?? { functionKey, operation, actions, count: 0, tests: [] };
    call.count += 1;
    const name = test ?? '(hook)';
    if (call.tests.length < TESTS_KEPT && !call.tests.includes(name)) call.tests.push(name);
    this.calls.set(key, call);
  }

  /** Every kind of call a function made, by function and operation. */
  functionCalls(): FunctionCall[] {
    return [...this.calls.values()].sort((a, b) => a.functionKey.localeCompare(b.functionKey) || a.operation.localeCompare(b.operation));
  }

  /** Calls sent outside any function (the test's own, tenantctl's, the local stack's), by operation: not checked. */
  unattributed(): Record<string, number> {
    return Object.fromEntries([...this.outside.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** What the security suite proves a function's role allows: STEP_CALLS' shape. */
export type AllowedCalls = Record<string, readonly { action: string }[]>;

export type Finding =
  | { problem: 'unknown-function'; functionKey: string; operation: string; tests: string[] }
  | { problem: 'unmapped-command'; functionKey: string; operation: string; tests: string[] }
  | { problem: 'unlisted-action'; functionKey: string; operation: string; action: string; tests: string[] };

/**
 * Every recorded call that is not proven allowed: a function STEP_CALLS does not list, a
 * command iam-actions.ts does not map, or an action not among STEP_CALLS[function]'s.
 */
export function checkRecordedCalls(calls: readonly FunctionCall[], allowed: AllowedCalls): Finding[] {
  const findings = new Map<string, Finding>();
  const add = (finding: Finding) => {
    const key = JSON.stringify([finding.problem, finding.functionKey, finding.operation, 'action' in finding ? finding.action : null]);
    const seen = findings.get(key);
    if (seen) seen.tests = [...new Set([...seen.tests, ...finding.tests])].slice(0, TESTS_KEPT);
    else findings.set(key, { ...finding, tests: [...finding.tests] });
  };
  for (const { functionKey, operation, actions, tests } of calls) {
    const listed = Object.hasOwn(allowed, functionKey) ? allowed[functionKey] : undefined;
    if (!listed) {
      add({ problem: 'unknown-function', functionKey, operation, tests });
    } else if (!actions) {
      add({ problem: 'unmapped-command', functionKey, operation, tests });
    } else {
      const proven = new Set(listed.map((call) => call.action));
      for (const action of actions) if (!proven.has(action)) add({ problem: 'unlisted-action', functionKey, operation, action, tests });
    }
  }
  return [...findings.values()];
}

const FIX =
  "add it to the function's role in deploy/roles.js and to STEP_CALLS in test/security/support/step-calls.ts " +
  '(test/security/iam-policies.test.ts then proves the role allows it)';

/** One line per finding, saying what to do about it. */
export function explainFindings(findings: readonly Finding[]): string {
  const lines = findings.map((finding) => {
    const where = finding.tests.length > 0 ? `(first in: ${finding.tests[0]})` : '';
    switch (finding.problem) {
      case 'unlisted-action':
        return `${finding.functionKey} sent ${finding.operation}, which needs ${finding.action}: not among the actions STEP_CALLS lists for ${finding.functionKey}; ${FIX} ${where}`;
      case 'unmapped-command':
        return `${finding.functionKey} sent ${finding.operation}, which test/support/sdk-calls/iam-actions.ts does not map to IAM actions: map it there (the Service Authorization Reference says what it needs), then if its role lacks one, ${FIX} ${where}`;
      case 'unknown-function':
        return `${finding.functionKey} sent ${finding.operation}, but STEP_CALLS has no entry for ${finding.functionKey}: give the function its calls there and its role in deploy/roles.js ${where}`;
    }
  });
  return [`${findings.length} SDK call(s) a function made are not proven allowed by its role:`, ...lines.map((line) => `  - ${line}`)].join('\n');
}

/** The actions STEP_CALLS lists for each function that no recorded call needed (informative: a test may simply not reach them). */
export function unexercisedActions(calls: readonly FunctionCall[], allowed: AllowedCalls): Record<string, string[]> {
  const used = new Map<string, Set<string>>();
  for (const { functionKey, actions } of calls) {
    const set = used.get(functionKey) ?? new Set<string>();
    for (const action of actions ?? []) set.add(action);
    used.set(functionKey, set);
  }
  const result: Record<string, string[]> = {};
  for (const [functionKey, listed] of Object.entries(allowed)) {
    const missing = [...new Set(listed.map((call) => call.action))].filter((action) => !used.get(functionKey)?.has(action));
    if (missing.length > 0) result[functionKey] = missing.sort();
  }
  return result;
}
