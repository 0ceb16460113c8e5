import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The built binary the end-to-end tests run, as operators do (scripts/tenantctl.sh runs the same file). */
export const TENANTCTL_BIN = join(__dirname, '../../../dist/tenantctl.cjs');

/** How a tenantctl run ended: its exit status and everything it wrote. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built tenantctl with `args`, its local state in `stateDir` and the local runner's
 * retry pauses shortened to 20 ms; never on an endpoint from the test's environment.
 */
export function runTenantctl(stateDir: string, ...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, TENANTCTL_STATE_DIR: stateDir, TENANTCTL_LOCAL_RETRY_INTERVAL_MS: '20' };
  delete env.AWS_ENDPOINT_URL;
  return new Promise((resolve) => {
    execFile(process.execPath, [TENANTCTL_BIN, ...args], { env, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
