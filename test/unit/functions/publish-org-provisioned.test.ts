import { EventBridgeServiceException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/lambda/publish-org-provisioned';
import { publishOrgProvisioned } from '../../../functions/publish-org-provisioned';
import { loadConfig } from '../../../functions/lib/config';
import { EventPublishError, InvalidEventError } from '../../../functions/lib/errors';
import { assertOrgProvisionedDetail } from '../../../functions/lib/events';
import { orgProvisionedDetail, type OrgProvisionedDetail } from '../../../functions/lib/publish';
import sample from '../../../events/samples/org-provisioned.json';
import { samplePrefixProvisioned } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedEventBridge } from '../../support/mocked-clients';

const { eventBridgeMock, eventBridge } = mockedEventBridge();
const config = loadConfig();

/** The detail the tenant ledger recorded when the sample tenant became active (RecordTenantActive's result). */
const recorded = (): OrgProvisionedDetail => structuredClone(sample.detail);

describe('publishOrgProvisioned', () => {
  it('puts the detail the ledger recorded, unchanged, on the configured bus and returns it', async () => {
    const result = await publishOrgProvisioned({ detail: recorded() }, { eventBridge, config });

    expect(result).toEqual({ eventId: 'event-1', detail: sample.detail });
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ Source: config.eventSource, DetailType: 'OrgProvisioned', Detail: JSON.stringify(sample.detail), EventBusName: config.eventBusName }],
    });
    expect(() => assertOrgProvisionedDetail(result.detail)).not.toThrow();
  });

  it('publishes the same event when the step runs again later (a retry or redrive): nothing in it comes from the clock', async () => {
    jest.useFakeTimers({ now: new Date('2027-03-01T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout'] });
    try {
      await publishOrgProvisioned({ detail: recorded() }, { eventBridge, config });
      await publishOrgProvisioned({ detail: recorded() }, { eventBridge, config });
    } finally {
      jest.useRealTimers();
    }

    const sent = eventBridgeMock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.[0]?.Detail);
    expect(sent).toEqual([JSON.stringify(sample.detail), JSON.stringify(sample.detail)]);
  });

  it('publishes a detail without orgName or generation (an org without a name, a run started before the ledger)', async () => {
    const { orgName: _orgName, generation: _generation, ...detail } = recorded();

    const result = await publishOrgProvisioned({ detail }, { eventBridge, config });

    expect(result.detail).not.toHaveProperty('orgName');
    expect(result.detail).not.toHaveProperty('generation');
    expect(JSON.parse(eventBridgeMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? '{}')).toEqual(detail);
  });

  it("puts a prefix tenant's detail (tenancy, prefix, base URL) unchanged", async () => {
    const detail = orgProvisionedDetail(samplePrefixProvisioned(), new Date(sample.detail.provisionedAt));

    const result = await publishOrgProvisioned({ detail: structuredClone(detail) }, { eventBridge, config });

    expect(result.detail).toEqual(detail);
    const sent = JSON.parse(eventBridgeMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? '{}') as OrgProvisionedDetail;
    expect(sent).toMatchObject({ tenancy: 'prefix', bucket: { prefix: 'userdata/acme-bistro-42-publisher/', baseUrl: expect.stringMatching(/^https:\/\//) } });
  });

  it("refuses a prefix tenant's detail whose tenancy is not \"prefix\" (it breaks the schema)", async () => {
    const detail = { ...orgProvisionedDetail(samplePrefixProvisioned(), new Date(sample.detail.provisionedAt)), tenancy: 'shared' } as unknown as OrgProvisionedDetail;

    await expect(publishOrgProvisioned({ detail }, { eventBridge, config })).rejects.toThrow(InvalidEventError);
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it.each<[string, (detail: OrgProvisionedDetail) => object]>([
    ['a user ARN that is not an ARN', (detail) => ({ ...detail, user: { ...detail.user, arn: 'not-an-arn' } })],
    ['an access key id beside the secret', (detail) => ({ ...detail, credentials: { ...detail.credentials, accessKeyId: 'AKIAEXAMPLEKEYID0001' } })],
    ['no executionName', ({ executionName: _name, ...detail }) => detail],
  ])('refuses to publish a detail with %s (it breaks the schema)', async (_label, breakIt) => {
    const broken = breakIt(recorded()) as OrgProvisionedDetail;

    await expect(publishOrgProvisioned({ detail: broken }, { eventBridge, config })).rejects.toThrow(InvalidEventError);
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('throws EventPublishError with the entry error when EventBridge rejects the entry', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Please retry' }] });

    const run = publishOrgProvisioned({ detail: recorded() }, { eventBridge, config });

    await expect(run).rejects.toThrow(EventPublishError);
    await expect(run).rejects.toThrow(/InternalFailure.*Please retry/);
  });

  it('rethrows an SDK error untouched', async () => {
    const throttled = new EventBridgeServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
    eventBridgeMock.on(PutEventsCommand).rejects(throttled);

    await expect(publishOrgProvisioned({ detail: recorded() }, { eventBridge, config })).rejects.toBe(throttled);
  });

  it('works through the Lambda handler', async () => {
    const result = await handler({ detail: recorded() }, fakeLambdaContext('tenant-provisioner-test-publishOrgProvisioned'));

    expect(result).toEqual({ eventId: 'event-1', detail: sample.detail });
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });
});
