/**
 * The workflow and integration projects' check of the pipeline's roles against what the code
 * really sends: every SDK command sent while a function's handler runs is recorded
 * with that function's key, and after the file every one must need only actions STEP_CALLS (or,
 * for a prefix tenant, PREFIX_TENANT_ACTIONS) lists for that function — the list test/security/iam-policies.test.ts proves each packaged
 * role allows. A new call without a permission breaks this file, not the first deployment.
 *
 * Which function is running comes from local/function-scope.ts (entered where the local runner
 * invokes a Task's handler, the router or the status tracker); calls outside any function (the
 * test's own, tenantctl's, the local stack's) are counted apart and not checked.
 *
 * Each file's recording is also written to .local/sdk-calls/ for
 * `npx tsx test/support/sdk-calls/summary.ts` (which listed actions no test exercised).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { addEventHandler } from 'jest-circus';
import { currentFunction } from '../../../local/function-scope';
import { PROVEN_ACTIONS } from '../../security/support/step-calls';
import { observeLocalExecutionPort, observeSdkSends, type SendObserver } from './install';
import { checkRecordedCalls, explainFindings, RECORDINGS_DIR, SdkCallRecording } from './recording';

const recording = new SdkCallRecording();
const record: SendObserver = ({ operation, input }) => {
  recording.record({ functionKey: currentFunction(), operation, input, test: expect.getState().currentTestName });
};
observeSdkSends(record);
observeLocalExecutionPort(record);

// After the file's own afterAll hooks (which wait for the executions still running), not before
// them as an afterAll of a setup file would be; a finding fails the file, keeping its test results.
addEventHandler((event, state) => {
  if (event.name !== 'run_finish') return;
  const calls = recording.functionCalls();
  const testPath = expect.getState().testPath;
  if (testPath) {
    const file = relative(join(__dirname, '../../..'), testPath);
    mkdirSync(RECORDINGS_DIR, { recursive: true });
    writeFileSync(join(RECORDINGS_DIR, `${file.replace(/[/\\]/g, '__')}.json`), `${JSON.stringify({ file, calls, unattributed: recording.unattributed() }, null, 2)}\n`);
  }
  const findings = checkRecordedCalls(calls, PROVEN_ACTIONS);
  if (findings.length > 0) state.unhandledErrors.push(new Error(explainFindings(findings)));
});
