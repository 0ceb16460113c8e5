/**
 * Runs the independent analysers of docs/architecture.md, Security model from the project's `.venv-analysers` (pinned by
 * scripts/setup.sh): checkov on a CloudFormation template, parliament on IAM policy documents,
 * statelint on state machine definitions. Each returns its findings in one shape, named by the
 * analyser's check id and where it was found, for accepted-findings.ts to hold to the reviewed file.
 *
 * None of them may reach the network: on Linux each runs in a network namespace with only
 * loopback (as the packaging does); everywhere, checkov gets no platform key, its update check
 * off and `--skip-download`, and a home of its own, so no user config or cache changes a run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { canIsolateNetwork, PROJECT_ROOT } from '../../../scripts/package-stack';
import type { PolicyDocument } from './stack-policies';

export type Analyser = 'checkov' | 'parliament' | 'statelint';

export interface Finding {
  analyser: Analyser;
  /** The analyser's own id of the check: `CKV_AWS_117`, `RESOURCE_STAR`, `FLOAT`. */
  check: string;
  /**
   * checkov: the resource's logical id. parliament: the policy's name, `#<Sid>` (or `#<index>`)
   * after it when the finding is a statement's. statelint: `<machine>#<path in the definition>`.
   */
  where: string;
  /** parliament's community auditors: the actions they object to, lower case. */
  actions?: string[];
  /** What the analyser says, for the reader. */
  detail: string;
}

export interface NamedDocument<T> {
  name: string;
  document: T;
}

export interface CheckovRun {
  findings: Finding[];
  /** How many resources checkov read, and files it could not parse. */
  resourceCount: number;
  parsingErrors: number;
}

export const ANALYSERS_VENV = join(PROJECT_ROOT, '.venv-analysers');
const DRIVER = join(__dirname, 'analysers.py');
const ANALYSER_TIMEOUT_MS = 120_000;

function venvTool(name: string): string {
  const path = join(ANALYSERS_VENV, 'bin', name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/setup.sh (it installs checkov, parliament and statelint into .venv-analysers)`);
  return path;
}

/** The environment an analyser runs in: nothing of AWS, Bridgecrew/Prisma or checkov's own from ours. */
function offlineEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(AWS_|BC_|PRISMA_|CKV_|CHECKOV_)/.test(name)) delete env[name];
  return { ...env, HOME: home, PYTHONNOUSERSITE: '1', CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true' };
}

/**
 * Runs `tool` with `args` offline, in a fresh temp folder that is also its home, and returns
 * its stdout. Exit codes in `findingsExit` mean "ran and found something"; any other fails.
 */
function runOffline(tool: string, args: string[], options: { input?: string; findingsExit?: number[] } = {}): string {
  const home = mkdtempSync(join(tmpdir(), 'tenant-provisioner-analyser-'));
  try {
    const [command, commandArgs] = canIsolateNetwork() ? ['unshare', ['-n', tool, ...args]] : [tool, args];
    const result = spawnSync(command, commandArgs as string[], {
      cwd: home,
      env: offlineEnv(home),
      input: options.input,
      encoding: 'utf8',
      timeout: ANALYSER_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    const name = `${basename(tool)} ${args[0] ?? ''}`.trim();
    if (result.error) throw new Error(`${name} did not run to the end (${result.error.message}):\n${result.stderr ?? ''}`);
    if (result.status !== 0 && !(options.findingsExit ?? []).includes(result.status ?? -1)) {
      throw new Error(`${name} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

interface CheckovReport {
  results: { failed_checks?: { check_id: string; check_name: string; resource: string }[] };
  summary: { resource_count: number; parsing_errors: number };
}

/** checkov's CloudFormation checks on `templatePath`; a finding's `where` is the resource's logical id. */
export function checkov(templatePath: string): CheckovRun {
  const stdout = runOffline(
    venvTool('checkov'),
    ['--file', templatePath, '--framework', 'cloudformation', '--output', 'json', '--skip-download', '--quiet', '--compact'],
    { findingsExit: [1] },
  );
  // One report per framework: an object for one, a list for several.
  const reports = [JSON.parse(stdout) as CheckovReport | CheckovReport[]].flat();
  const findings = reports.flatMap((report) =>
    (report.results.failed_checks ?? []).map(
      (failed): Finding => ({
        analyser: 'checkov',
        check: failed.check_id,
        // `AWS::Lambda::Function.RouteOrgEventLambdaFunction`: the type, then the logical id.
        where: failed.resource.slice(failed.resource.indexOf('.') + 1),
        detail: failed.check_name,
      }),
    ),
  );
  return {
    findings,
    resourceCount: reports.reduce((sum, report) => sum + report.summary.resource_count, 0),
    parsingErrors: reports.reduce((sum, report) => sum + report.summary.parsing_errors, 0),
  };
}

interface DriverFinding {
  input: string;
  check: string;
  detail: string;
  statement?: string | null;
  actions?: string[] | null;
}

/** Runs `analyser` through analysers.py on `inputs`; each finding is placed by `whereOf`. */
function driver(analyser: 'parliament' | 'statelint', inputs: unknown[], whereOf: (finding: DriverFinding) => string): Finding[] {
  const findings = JSON.parse(runOffline(venvTool('python'), [DRIVER, analyser], { input: JSON.stringify(inputs) })) as DriverFinding[];
  return findings.map((f) => ({ analyser, check: f.check, where: whereOf(f), ...(f.actions ? { actions: f.actions } : {}), detail: f.detail }));
}

/** parliament, with its community auditors, on each policy; a finding's `where` is the policy's name (and statement). */
export function parliament(policies: NamedDocument<PolicyDocument>[]): Finding[] {
  const names = new Set(policies.map((p) => p.name));
  if (names.size !== policies.length) throw new Error('Two policies have the same name: their findings could not be told apart');
  return driver(
    'parliament',
    policies.map((p) => ({ name: p.name, policy: p.document })),
    (f) => (f.statement ? `${f.input}#${f.statement}` : f.input),
  );
}

/** statelint on each definition; a finding's `where` is `<machine>#<path>` (`provision-tenant#States.ValidateOrg.Retry[1].BackoffRate`). */
export function statelint(definitions: NamedDocument<Record<string, unknown>>[]): Finding[] {
  return driver(
    'statelint',
    definitions.map((d) => ({ name: d.name, definition: d.document })),
    // statelint names the place as `State Machine.States.<State>.<field>…`, at the start of most problems.
    (f) => `${f.input}#${/State Machine\.?(\S*)/.exec(f.detail)?.[1] ?? ''}`,
  );
}
