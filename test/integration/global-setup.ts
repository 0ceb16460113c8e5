/**
 * Starts one AWS emulator for the integration project (or uses AWS_ENDPOINT_URL when set)
 * and records its endpoint in a file: jest reuses worker processes across projects, so an
 * environment variable set here could be cleared by a unit test file before an integration
 * file runs in the same worker.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startEmulator, type Emulator } from '../../local/emulator';
import { ENDPOINT_FILE } from './emulator-endpoint';

declare global {
  var tenantProvisionerEmulator: Emulator | undefined;
}

export default async function globalSetup(): Promise<void> {
  const emulator = await startEmulator();
  globalThis.tenantProvisionerEmulator = emulator;
  mkdirSync(dirname(ENDPOINT_FILE), { recursive: true });
  writeFileSync(ENDPOINT_FILE, emulator.endpoint);
}
