/**
 * Which actions STEP_CALLS lists that no recorded call needed, over the recordings the workflow
 * and integration suites last wrote to .local/sdk-calls/ (one file per test file). Informative
 * only: a listed action may be right and simply not reached by a test (an error path, a region).
 *
 *   npx tsx test/support/sdk-calls/summary.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_CALLS } from '../../security/support/step-calls';
import { RECORDINGS_DIR, unexercisedActions, type FunctionCall } from './recording';

interface RecordingFile {
  file: string;
  calls: FunctionCall[];
  unattributed: Record<string, number>;
}

function main(): void {
  const files = existsSync(RECORDINGS_DIR) ? readdirSync(RECORDINGS_DIR).filter((name) => name.endsWith('.json')) : [];
  if (files.length === 0) {
    process.stderr.write(`No recordings in ${RECORDINGS_DIR}: run the workflow and integration suites first.\n`);
    process.exitCode = 1;
    return;
  }
  const recordings = files.map((name) => JSON.parse(readFileSync(join(RECORDINGS_DIR, name), 'utf8')) as RecordingFile);
  const calls = recordings.flatMap((recording) => recording.calls);
  const unattributed = new Map<string, number>();
  for (const recording of recordings) {
    for (const [operation, count] of Object.entries(recording.unattributed)) unattributed.set(operation, (unattributed.get(operation) ?? 0) + count);
  }

  const out: string[] = [`Recorded SDK calls of ${recordings.length} test files (${recordings.map((r) => r.file).sort().join(', ')})`, ''];
  out.push('Actions STEP_CALLS lists that no recorded call needed (informative):');
  const unexercised = unexercisedActions(calls, STEP_CALLS);
  for (const functionKey of Object.keys(STEP_CALLS)) {
    const missing = unexercised[functionKey];
    if (missing) out.push(`  ${functionKey}: ${missing.join(', ')}`);
  }
  out.push('', 'Calls made outside any function (the tests, tenantctl, the local stack; not checked):');
  out.push(`  ${[...unattributed.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([operation, count]) => `${operation} ×${count}`).join(', ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
