import 'aws-sdk-client-mock-jest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeServiceException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { handler } from '../../../functions/lambda/publish-org-deprovisioned';
import { publishOrgDeprovisioned, type PublishOrgDeprovisionedInput } from '../../../functions/publish-org-deprovisioned';
import { loadConfig } from '../../../functions/lib/config';
import { EventPublishError, InvalidEventError } from '../../../functions/lib/errors';
import { assertOrgDeprovisionedDetail } from '../../../functions/lib/events';
import type { DeleteBucketResult, TeardownPlan } from '../../../functions/lib/types';
import sample from '../../../events/samples/org-deprovisioned.json';
import { sampleTenant } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedEventBridge } from '../../support/mocked-clients';

const { eventBridgeMock, eventBridge } = mockedEventBridge();
const config = loadConfig();
const now = () => new Date(sample.detail.deprovisionedAt);
const deps = { eventBridge, config, now };

/** The teardown of generation 1 as PrepareTeardown hands it over: its execution name, and the run id the ledger gave it. */
const TEARDOWN_NAME = 'acme-bistro-42-g1-teardown';
const tenant = sampleTenant({ executionName: TEARDOWN_NAME });
const { userName, secretName } = tenant;
/**
 * The sample event, for the teardown execution. events/samples/org-deprovisioned.json still names
 * the execution `org-acme-bistro-42`, a name the ledger no longer gives.
 */
const expectedDetail = { ...sample.detail, executionName: TEARDOWN_NAME };
const bucket = tenant.bucketCandidates[0] ?? '';
const teardown: TeardownPlan = { tenant, settleSeconds: 0, retentionDays: 0, retentionSeconds: 0 };

/** The teardown of the sample tenant as the state machine hands it over: everything found and deleted. */
function fullTeardown(): PublishOrgDeprovisionedInput {
  return {
    teardown,
    revoked: { bucketName: bucket, bucketFoundBy: 'secret', keysDeactivated: ['AKIAEXAMPLE0000000001'], bucketPolicyDeleted: true, skipped: [] },
    deletedCredentials: { deleted: [`secret ${secretName}`, `access key AKIAEXAMPLE0000000001 of IAM user ${userName}`], skipped: [] },
    deletedUser: { deleted: [`IAM user ${userName}`], skipped: [] },
    deletedBucket: { done: true, cursor: null, objectsDeleted: 1843, deleted: [`bucket ${bucket}`], skipped: [] },
  };
}

/** What the teardown ASL's NoTenantBucket Pass state puts at `$.deletedBucket`. */
const asl = JSON.parse(readFileSync(join(__dirname, '../../../statemachine/teardown-tenant.asl.json'), 'utf8')) as {
  States: Record<string, { Result?: unknown }>;
};
const noTenantBucketResult = asl.States.NoTenantBucket?.Result as DeleteBucketResult;

const sentDetail = (): unknown => JSON.parse(eventBridgeMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? 'null');

describe('publishOrgDeprovisioned', () => {
  it('puts the OrgDeprovisioned event of the sample on the configured bus and returns its detail', async () => {
    const result = await publishOrgDeprovisioned(fullTeardown(), deps);

    // executionName is the execution's name, not the ledger's run id (`…-g1-teardown.0123456789ab`).
    expect(result).toEqual({ eventId: 'event-1', detail: expectedDetail });
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ Source: 'tenant-provisioner', DetailType: 'OrgDeprovisioned', Detail: JSON.stringify(expectedDetail), EventBusName: 'default' }],
    });
  });

  it('emits a detail that validates against the OrgDeprovisioned schema', async () => {
    const { detail } = await publishOrgDeprovisioned(fullTeardown(), deps);

    expect(() => assertOrgDeprovisionedDetail(detail)).not.toThrow();
    expect(() => assertOrgDeprovisionedDetail(sentDetail())).not.toThrow();
  });

  it('uses the configured source and bus', async () => {
    await publishOrgDeprovisioned(fullTeardown(), { ...deps, config: { ...config, eventSource: 'acme.tenants', eventBusName: 'tenant-events' } });

    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ Source: 'acme.tenants', DetailType: 'OrgDeprovisioned', EventBusName: 'tenant-events' })],
    });
  });

  it('lists what was deleted in order: credentials, then user, then bucket', async () => {
    const input = fullTeardown();
    input.deletedCredentials.deleted = ['c1', 'c2'];
    input.deletedUser.deleted = ['u1'];
    input.deletedBucket = { done: true, cursor: null, objectsDeleted: 3, deleted: ['b1'], skipped: [] };

    const { detail } = await publishOrgDeprovisioned(input, deps);

    expect(detail.deleted).toEqual(['c1', 'c2', 'u1', 'b1']);
  });

  it("reports what revocation and deletion left alone, revocation's first, each resource once", async () => {
    const foreignSecret = { resource: `secret ${secretName}`, reason: 'it belongs to OrgId "Other-Org"' };
    const foreignBucket = { resource: 'bucket fusion-rms-somewhere-else', reason: "it is not this account's bucket in us-east-1 (AccessDenied)" };
    const foreignKeys = { resource: `access keys of IAM user ${userName}`, reason: 'it is not managed by tenant-provisioner' };
    const foreignUser = { resource: `IAM user ${userName}`, reason: 'it is not managed by tenant-provisioner' };
    const input = fullTeardown();
    input.revoked.skipped = [foreignSecret, foreignBucket, foreignUser];
    input.deletedCredentials = { deleted: [], skipped: [foreignSecret, foreignKeys] };
    input.deletedUser = { deleted: [], skipped: [foreignUser] };

    const { detail } = await publishOrgDeprovisioned(input, deps);

    expect(detail.leftAlone).toEqual([foreignSecret, foreignBucket, foreignUser, foreignKeys]);
    expect(detail.deleted).toEqual([`bucket ${bucket}`]);
    expect(() => assertOrgDeprovisionedDetail(detail)).not.toThrow();
  });

  it("includes the bucket deletion's skipped resources", async () => {
    const input = fullTeardown();
    const keptBucket = { resource: bucket, reason: 'not this tenant\'s bucket: it belongs to OrgId "Other-Org"' };
    input.deletedBucket = { done: true, cursor: null, objectsDeleted: 0, deleted: [], skipped: [keptBucket] };

    const { detail } = await publishOrgDeprovisioned(input, deps);

    expect(detail.leftAlone).toEqual([keptBucket]);
  });

  it('has no bucket field when the tenant had no bucket (the NoTenantBucket path of the state machine)', async () => {
    expect(noTenantBucketResult).toMatchObject({ done: true, deleted: [], skipped: [] });
    const input = fullTeardown();
    input.revoked = { bucketName: '', bucketFoundBy: 'none', keysDeactivated: [], bucketPolicyDeleted: false, skipped: [] };
    input.deletedBucket = noTenantBucketResult;

    const { detail } = await publishOrgDeprovisioned(input, deps);

    expect(detail).not.toHaveProperty('bucket');
    expect(sentDetail()).not.toHaveProperty('bucket');
    expect(detail.deleted).toEqual([`secret ${secretName}`, `access key AKIAEXAMPLE0000000001 of IAM user ${userName}`, `IAM user ${userName}`]);
    expect(() => assertOrgDeprovisionedDetail(detail)).not.toThrow();
  });

  it('has no objectsDeleted field when there is no bucket deletion result', async () => {
    const input = fullTeardown();
    input.revoked.bucketName = '';
    delete input.deletedBucket;

    const { detail } = await publishOrgDeprovisioned(input, deps);

    expect(detail).not.toHaveProperty('bucket');
    expect(detail).not.toHaveProperty('objectsDeleted');
    expect(detail.deleted).not.toContain(`bucket ${bucket}`);
  });

  it("reports the teardown's retention and execution name, never its run id", async () => {
    const input = fullTeardown();
    const second = sampleTenant({ generation: 2, executionName: 'acme-bistro-42-g2-teardown-2' });
    input.teardown = { tenant: second, settleSeconds: 60, retentionDays: 30, retentionSeconds: 30 * 86_400 };

    const { detail } = await publishOrgDeprovisioned(input, deps);

    // The execution's name, never `tenant.provisionedBy` (the run id).
    expect(detail).toMatchObject({ orgId: 'Acme-Bistro-42', executionName: 'acme-bistro-42-g2-teardown-2', retentionDays: 30 });
    expect(JSON.stringify(sentDetail())).not.toContain(second.provisionedBy);
  });

  it('fails loudly without publishing when the detail it would emit breaks the schema', async () => {
    const input = fullTeardown();
    input.teardown = { ...teardown, retentionDays: -1 };

    await expect(publishOrgDeprovisioned(input, deps)).rejects.toThrow(InvalidEventError);
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('throws EventPublishError when EventBridge rejects the entry', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal failure' }] });

    const run = publishOrgDeprovisioned(fullTeardown(), deps);

    await expect(run).rejects.toThrow(EventPublishError);
    await expect(run).rejects.toThrow(/OrgDeprovisioned.*InternalFailure/);
  });

  it('rethrows an SDK error from PutEvents untouched', async () => {
    const throttled = new EventBridgeServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
    eventBridgeMock.on(PutEventsCommand).rejects(throttled);

    await expect(publishOrgDeprovisioned(fullTeardown(), deps)).rejects.toBe(throttled);
  });

  it('runs through its Lambda entry, with the client it makes', async () => {
    const context = fakeLambdaContext('tenant-provisioner-test-publishOrgDeprovisioned');

    const result = await handler(fullTeardown(), context);

    expect(result.eventId).toBe('event-1');
    expect(result.detail).toEqual({ ...expectedDetail, deprovisionedAt: expect.any(String) });
    expect(() => assertOrgDeprovisionedDetail(result.detail)).not.toThrow();
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, { Entries: [expect.objectContaining({ DetailType: 'OrgDeprovisioned', EventBusName: 'default' })] });
  });
});
