/**
 * `timeToUsableMsBefore`: the time to a usable tenant of the code before issue 17 items 3–5
 * (commit 998a708), measured once with this bench's files copied into a worktree of that commit
 * (bench/README.md, "Time to a usable tenant") and kept, reviewed, in
 * bench/results/time-to-usable-before.json. The report reads it; nothing re-measures it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TimeToUsableResult } from './time-to-usable';

export const BASELINE_FILE = 'bench/results/time-to-usable-before.json';

export interface TimeToUsableBaseline {
  /** Always true: this figure is a recorded measurement, not one of this run. */
  recorded: true;
  commit: string;
  recordedAt: string;
  method: string;
  timeToUsableMs: number;
  runsMs: number[];
  propagationMs: number;
  waitMsByCause: TimeToUsableResult['waitMsByCause'];
  criticalPath: string;
  machine?: string;
}

export function baselineOf(result: TimeToUsableResult, commit: string, recordedAt: string, machine?: string): TimeToUsableBaseline {
  return {
    recorded: true,
    commit,
    recordedAt,
    method:
      `A recorded measurement of commit ${commit}: a git worktree of that commit with the project's node_modules and .venv linked in and this bench's files copied over its bench/, ` +
      `then \`npm run bench -- --only timeToUsable --record-baseline ${commit}\`. ${result.method}`,
    timeToUsableMs: result.timeToUsableMs,
    runsMs: result.runsMs,
    propagationMs: result.propagationMs,
    waitMsByCause: result.waitMsByCause,
    criticalPath: result.criticalPath,
    ...(machine ? { machine } : {}),
  };
}

/** The recorded baseline, or undefined when the file is missing. */
export function readTimeToUsableBaseline(root: string): TimeToUsableBaseline | undefined {
  const path = join(root, BASELINE_FILE);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as TimeToUsableBaseline;
}
