import { EventBridgeServiceException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import 'aws-sdk-client-mock-jest';
import { loadConfig } from '../../../functions/lib/config';
import { EventPublishError, InvalidEventError } from '../../../functions/lib/errors';
import { assertOrgRestoredDetail } from '../../../functions/lib/events';
import type { OrgProvisionedDetail } from '../../../functions/lib/publish';
import { handler } from '../../../functions/lambda/publish-org-restored';
import { publishOrgRestored } from '../../../functions/publish-org-restored';
import provisioned from '../../../events/samples/org-provisioned.json';
import sample from '../../../events/samples/org-restored.json';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedEventBridge } from '../../support/mocked-clients';

const { eventBridgeMock, eventBridge } = mockedEventBridge();
const config = loadConfig();
const now = () => new Date(sample.detail.restoredAt);
const RESTORE = 'acme-bistro-42-g1-restore';

/** What the ledger kept of the tenant's provisioning (RecordTenantRestored's result). */
const kept = (): OrgProvisionedDetail => structuredClone(provisioned.detail);

describe('publishOrgRestored', () => {
  it("puts the sample OrgRestored: the provisioned tenant's bucket, user and secret, the restore execution and when", async () => {
    const result = await publishOrgRestored({ provisioned: kept(), executionName: RESTORE }, { eventBridge, config, now });

    expect(result).toEqual({ eventId: 'event-1', detail: sample.detail });
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ Source: config.eventSource, DetailType: 'OrgRestored', Detail: JSON.stringify(sample.detail), EventBusName: config.eventBusName }],
    });
    expect(() => assertOrgRestoredDetail(result.detail)).not.toThrow();
  });

  it('names the restore execution, not the provisioning, and carries no provisionedAt', async () => {
    const { detail } = await publishOrgRestored({ provisioned: kept(), executionName: RESTORE }, { eventBridge, config, now });

    expect(detail.executionName).toBe(RESTORE);
    expect(detail).not.toHaveProperty('provisionedAt');
    expect(detail.restoredAt).toBe(sample.detail.restoredAt);
  });

  it('leaves orgName and generation out when the provisioned detail has none', async () => {
    const { orgName: _orgName, generation: _generation, ...rest } = kept();

    const { detail } = await publishOrgRestored({ provisioned: rest, executionName: RESTORE }, { eventBridge, config, now });

    expect(detail).not.toHaveProperty('orgName');
    expect(detail).not.toHaveProperty('generation');
    expect(() => assertOrgRestoredDetail(detail)).not.toThrow();
  });

  it('refuses to publish a detail that breaks the schema (a field the ledger should never have held)', async () => {
    const broken = { ...kept(), credentials: { ...kept().credentials, secretAccessKey: 'x' } } as OrgProvisionedDetail;

    await expect(publishOrgRestored({ provisioned: broken, executionName: RESTORE }, { eventBridge, config, now })).rejects.toThrow(InvalidEventError);
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('throws EventPublishError when EventBridge rejects the entry', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Please retry' }] });

    const run = publishOrgRestored({ provisioned: kept(), executionName: RESTORE }, { eventBridge, config, now });

    await expect(run).rejects.toThrow(EventPublishError);
    await expect(run).rejects.toThrow(/OrgRestored.*InternalFailure/);
  });

  it('rethrows an SDK error untouched', async () => {
    const throttled = new EventBridgeServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
    eventBridgeMock.on(PutEventsCommand).rejects(throttled);

    await expect(publishOrgRestored({ provisioned: kept(), executionName: RESTORE }, { eventBridge, config, now })).rejects.toBe(throttled);
  });

  it('runs through its Lambda entry, with the client it makes', async () => {
    const result = await handler({ provisioned: kept(), executionName: RESTORE }, fakeLambdaContext('tenant-provisioner-test-publishOrgRestored'));

    expect(result).toEqual({ eventId: 'event-1', detail: { ...sample.detail, restoredAt: expect.any(String) } });
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, { Entries: [expect.objectContaining({ DetailType: 'OrgRestored' })] });
  });
});
