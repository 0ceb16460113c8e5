import { rmSync } from 'node:fs';
import { ENDPOINT_FILE } from './emulator-endpoint';

/** Stops the emulator the global setup started (never one given by AWS_ENDPOINT_URL). */
export default async function globalTeardown(): Promise<void> {
  await globalThis.tenantProvisionerEmulator?.stop();
  rmSync(ENDPOINT_FILE, { force: true });
}
