import { EventBridgeClient, EventBridgeServiceException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler, publishOrgProvisioned, type PublishOrgProvisionedInput } from '../../../functions/publish-org-provisioned';
import { loadConfig } from '../../../functions/lib/config';
import { EventPublishError, InvalidEventError } from '../../../functions/lib/errors';
import { assertOrgProvisionedDetail } from '../../../functions/lib/events';
import sample from '../../../events/samples/org-provisioned.json';
import { sampleBucket, sampleTenant, sampleUser } from '../../support/fixtures';

const eventBridgeMock = mockClient(EventBridgeClient);
const config = loadConfig();
const eventBridge = new EventBridgeClient({});
const now = () => new Date(sample.detail.provisionedAt);

const input: PublishOrgProvisionedInput = {
  tenant: sampleTenant(),
  bucket: sampleBucket(),
  bucketConfig: { publicPrefix: 'pub/', publicBaseUrl: 'https://fusion-rms-acme-bistro-42.s3.us-east-1.amazonaws.com/pub/' },
  user: sampleUser(),
  credentials: {
    secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fusion-rms/acme-bistro-42/credentials-AbCdEf',
    secretName: 'fusion-rms/acme-bistro-42/credentials',
    accessKeyId: 'AKIAEXAMPLEKEYID0001',
    issued: true,
  },
};

const fakeContext = {
  functionName: 'tenant-provisioner-test-publishOrgProvisioned',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioner-test-publishOrgProvisioned',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

beforeEach(() => {
  eventBridgeMock.reset();
  eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
});

describe('publishOrgProvisioned', () => {
  it('puts the OrgProvisioned event of the sample on the configured bus and returns its detail', async () => {
    const result = await publishOrgProvisioned(input, { eventBridge, config, now });

    expect(result).toEqual({ eventId: 'event-1', detail: sample.detail });
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ Source: config.eventSource, DetailType: 'OrgProvisioned', Detail: JSON.stringify(sample.detail), EventBusName: config.eventBusName }],
    });
    expect(() => assertOrgProvisionedDetail(result.detail)).not.toThrow();
  });

  it('never puts the access key id in the event', async () => {
    await publishOrgProvisioned(input, { eventBridge, config, now });
    const entry = eventBridgeMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.Detail).toBeDefined();
    expect(entry?.Detail).not.toContain(input.credentials.accessKeyId);
  });

  it('leaves orgName out when the org has none', async () => {
    const tenant = { ...input.tenant };
    delete tenant.orgName;
    const result = await publishOrgProvisioned({ ...input, tenant }, { eventBridge, config, now });
    expect(result.detail).not.toHaveProperty('orgName');
    expect(result.detail.orgId).toBe('Acme-Bistro-42');
  });

  it('throws EventPublishError with the entry error when EventBridge rejects the entry', async () => {
    eventBridgeMock
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Please retry' }] });
    const run = publishOrgProvisioned(input, { eventBridge, config, now });
    await expect(run).rejects.toThrow(EventPublishError);
    await expect(run).rejects.toThrow(/InternalFailure.*Please retry/);
  });

  it('rethrows an SDK error untouched', async () => {
    const throttled = new EventBridgeServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
    eventBridgeMock.on(PutEventsCommand).rejects(throttled);
    await expect(publishOrgProvisioned(input, { eventBridge, config, now })).rejects.toBe(throttled);
  });

  it('refuses to publish a detail that breaks the schema', async () => {
    const broken = { ...input, user: { ...input.user, arn: 'not-an-arn' } };
    await expect(publishOrgProvisioned(broken, { eventBridge, config, now })).rejects.toThrow(InvalidEventError);
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('works through the Lambda handler', async () => {
    const result = await handler(input, fakeContext);
    expect(result.eventId).toBe('event-1');
    expect(result.detail.executionName).toBe('org-acme-bistro-42');
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });
});
