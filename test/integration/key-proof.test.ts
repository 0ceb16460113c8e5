/**
 * OrgProvisioned only once the tenant's key works, on the emulator with the real pipeline. The
 * emulator accepts a new key at once (IAM is not eventually consistent there, DESIGN.md §10), so
 * the clients the proof signs with as the tenant answer the first requests with what AWS answers
 * while IAM propagates a new key: STS's InvalidClientTokenId and S3's InvalidAccessKeyId, as the
 * SDK's real exception classes, from a middleware in front of the real calls.
 */
import { S3ServiceException } from '@aws-sdk/client-s3';
import { STSServiceException } from '@aws-sdk/client-sts';
import type { InitializeHandler, MetadataBearer } from '@smithy/types';
import type { TenantClients, TenantKey } from '../../functions/prove-tenant-credentials';
import type { LocalPipeline } from '../../local/pipeline';
import { localFunctionClients } from '../../local/stack';
import { readFileSync } from 'node:fs';
import { ENDPOINT_FILE } from './emulator-endpoint';
import { integrationPipeline } from './integration-pipeline';

jest.setTimeout(120_000);

const meta = { $metadata: { httpStatusCode: 403 } };
/** How many requests signed as a tenant are still refused (the key "propagating"), and every request seen as `Service.Operation:outcome`. */
const propagation = { refusals: 0, seen: [] as string[] };

/** A middleware refusing requests while `propagation.refusals` lasts, as AWS does for a key IAM has not propagated. */
function refuseWhilePropagating(service: 'STS' | 'S3') {
  return (next: InitializeHandler<object, MetadataBearer>, context: { commandName?: string }): InitializeHandler<object, MetadataBearer> =>
    async (args) => {
      const operation = `${service}.${(context.commandName ?? '').replace(/Command$/, '')}`;
      if (propagation.refusals > 0) {
        propagation.refusals -= 1;
        propagation.seen.push(`${operation}:refused`);
        throw service === 'STS'
          ? new STSServiceException({ name: 'InvalidClientTokenId', $fault: 'client', ...meta, message: 'The security token included in the request is invalid.' })
          : new S3ServiceException({ name: 'InvalidAccessKeyId', $fault: 'client', ...meta, message: 'The AWS Access Key Id you provided does not exist in our records.' });
      }
      propagation.seen.push(`${operation}:sent`);
      return next(args);
    };
}

let pipeline: LocalPipeline;
beforeAll(async () => {
  const functionClients = localFunctionClients(readFileSync(ENDPOINT_FILE, 'utf8').trim());
  const asTenant = functionClients.asTenant;
  functionClients.asTenant = (key: TenantKey, region: string): TenantClients => {
    const clients = asTenant(key, region);
    clients.sts.middlewareStack.add(refuseWhilePropagating('STS'), { step: 'initialize', name: 'refuseWhilePropagating' });
    clients.s3.middlewareStack.add(refuseWhilePropagating('S3'), { step: 'initialize', name: 'refuseWhilePropagating' });
    return clients;
  };
  // 9 s of Lambda time less the step's 5 s margin: it tries a key for 4 s per invocation (30 s on AWS), so a parked run parks in seconds.
  pipeline = await integrationPipeline({ functionClients, remainingTimeMs: 9_000 });
});
afterAll(() => pipeline?.stop());

describe('the key proof before OrgProvisioned', () => {
  it('waits within the step while the new key is refused, then announces the tenant with the very key it proved', async () => {
    const orgId = 'Int-Key-Proof-1';
    await pipeline.events();
    propagation.refusals = 3;
    propagation.seen = [];

    const routed = await pipeline.send('OrgCreated', { orgId });
    const record = await pipeline.executions.waitFor('provision', routed.executionName as string);

    expect(record.status).toBe('SUCCEEDED');
    expect(propagation.seen).toEqual(['STS.GetCallerIdentity:refused', 'STS.GetCallerIdentity:refused', 'STS.GetCallerIdentity:refused', 'STS.GetCallerIdentity:sent', 'S3.ListObjectsV2:sent']);
    const history = (await pipeline.executions.history('provision', routed.executionName as string)) ?? [];
    expect(history.filter((e) => e.type === 'StateRetried')).toEqual([]);
    const output = record.output as { proof: { accessKeyId: string; attempts: number }; credentials: { accessKeyId: string } };
    expect(output.proof).toMatchObject({ accessKeyId: output.credentials.accessKeyId, attempts: 4 });
    expect(JSON.stringify(history)).not.toMatch(/secretAccessKey/i);
    expect((await pipeline.events()).map((e) => e['detail-type'])).toEqual(['OrgProvisioned']);
  });

  it('announces nothing while the key is still refused: the run is parked at ProveTenantCredentials, redrivable, nothing rolled back', async () => {
    const orgId = 'Int-Key-Proof-2';
    await pipeline.events();
    propagation.refusals = Number.POSITIVE_INFINITY;
    propagation.seen = [];

    const routed = await pipeline.send('OrgCreated', { orgId });
    const record = await pipeline.executions.waitFor('provision', routed.executionName as string, { timeoutMs: 110_000 });

    expect(record).toMatchObject({ status: 'FAILED', error: 'TenantCredentialsNotReadyError' });
    const history = (await pipeline.executions.history('provision', routed.executionName as string)) ?? [];
    expect(history.filter((e) => e.type === 'StateEntered').map((e) => e.state).slice(-1)).toEqual(['ProveTenantCredentials']);
    expect(history.filter((e) => e.type === 'StateRetried').length).toBe(5);
    expect((await pipeline.events()).map((e) => e['detail-type'])).toEqual([]);
    const residue = await pipeline.residue();
    expect(residue.users).toContain(`rms_${orgId.toLowerCase()}`);

    // IAM catches up: the operator's redrive proves the key and announces the tenant.
    propagation.refusals = 0;
    await pipeline.executions.redrive('provision', routed.executionName as string);
    expect((await pipeline.executions.waitFor('provision', routed.executionName as string)).status).toBe('SUCCEEDED');
    expect((await pipeline.events()).map((e) => e['detail-type'])).toEqual(['OrgProvisioned']);
  });
});
