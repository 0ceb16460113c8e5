import { readFileSync } from 'node:fs';
import type { TenantNames } from '../../functions/lib/naming';
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

/** What the residue scanner found of one tenant, by its names. */
export interface TenantResidue {
  buckets: string[];
  users: string[];
  accessKeys: string[];
  secrets: string[];
}

/** The residue scanner's findings that belong to the tenant `names` names. */
export async function tenantResidue(pipeline: LocalPipeline, names: TenantNames): Promise<TenantResidue> {
  const residue = await pipeline.residue();
  return {
    buckets: residue.buckets.filter((b) => names.bucketCandidates.includes(b)),
    users: residue.users.filter((u) => u === names.userName),
    accessKeys: residue.accessKeys.filter((k) => k.startsWith(`${names.userName}:`)),
    secrets: residue.secrets.filter((s) => s === names.secretName),
  };
}
