import { join } from 'node:path';

/** Where the integration project's global setup leaves the shared emulator's endpoint. */
export const ENDPOINT_FILE = join(__dirname, '../../.local/integration-endpoint');
