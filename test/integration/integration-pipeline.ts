import { readFileSync } from 'node:fs';
import { startLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from '../../local/pipeline';
import { ENDPOINT_FILE } from './emulator-endpoint';

/**
 * The local pipeline on the integration project's shared emulator. Retry pauses are cut to
 * 10 ms so retried cases finish quickly; everything else runs as in `npm run demo`.
 * Test files share the emulator and may run in parallel, so each uses its own orgIds.
 */
export async function integrationPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  process.env.AWS_ENDPOINT_URL = readFileSync(ENDPOINT_FILE, 'utf8').trim();
  process.env.POWERTOOLS_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'ERROR';
  return startLocalPipeline({ retryIntervalMs: 10, ...options });
}
