import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Builds dist/tenantctl.cjs when a source is newer (cli/build.sh, as scripts/setup.sh does): the e2e tests run the built binary. */
export default function globalSetup(): void {
  execFileSync('bash', [join(__dirname, '../../cli/build.sh')], { stdio: 'inherit' });
}
