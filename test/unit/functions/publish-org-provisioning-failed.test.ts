import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/lambda/publish-org-provisioning-failed';
import { publishOrgProvisioningFailed } from '../../../functions/publish-org-provisioning-failed';
import { loadConfig } from '../../../functions/lib/config';
import { EventPublishError } from '../../../functions/lib/errors';
import { assertOrgProvisioningFailedDetail } from '../../../functions/lib/events';
import type { ProvisionState } from '../../../functions/lib/types';
import sample from '../../../events/samples/org-provisioning-failed.json';
import { sampleBucket, sampleTenant } from '../../support/fixtures';
import { mockedEventBridge } from '../../support/mocked-clients';

const { eventBridgeMock, eventBridge } = mockedEventBridge();
const config = loadConfig();
const now = () => new Date(sample.detail.failedAt);
const executionName = 'org-acme-bistro-42';

const tenant = sampleTenant({ provisionedBy: executionName });

/** What Lambda on AWS puts in a caught error's Cause. */
const lambdaCause = JSON.stringify({
  errorType: 'TenantUserConflictError',
  errorMessage: sample.detail.reason,
  trace: [`TenantUserConflictError: ${sample.detail.reason}`, '    at createTenantUser (/var/task/create-tenant-user.js:1:2345)'],
});

/** The state after CreateTenantUser failed and the rollback ran. */
const rolledBackState: ProvisionState = {
  orgId: 'Acme-Bistro-42',
  orgName: 'Acme Bistro',
  tenant,
  bucket: sampleBucket(),
  error: { Error: 'TenantUserConflictError', Cause: lambdaCause },
  rollbackBucket: { done: true, cursor: null, deleted: ['fusion-rms-acme-bistro-42'], skipped: [], objectsDeleted: 1 },
};

function sentDetail(): string | undefined {
  return eventBridgeMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail;
}

describe('publishOrgProvisioningFailed', () => {
  it('reports a rolled-back failure with the errorMessage of a Lambda Cause, as in the sample', async () => {
    const result = await publishOrgProvisioningFailed({ state: rolledBackState, executionName }, { eventBridge, config, now });

    expect(result).toEqual({ eventId: 'event-1', detail: sample.detail });
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        { Source: config.eventSource, DetailType: 'OrgProvisioningFailed', Detail: JSON.stringify(sample.detail), EventBusName: config.eventBusName },
      ],
    });
    expect(() => assertOrgProvisioningFailedDetail(result.detail)).not.toThrow();
  });

  it('never includes the stack trace of a Lambda Cause', async () => {
    await publishOrgProvisioningFailed({ state: rolledBackState, executionName }, { eventBridge, config, now });
    expect(sentDetail()).toBeDefined();
    expect(sentDetail()).not.toMatch(/trace|create-tenant-user\.js|\s+at\s/);
  });

  it('takes a plain Cause from the local runner as the reason, without any stack frames', async () => {
    const state: ProvisionState = {
      ...rolledBackState,
      error: { Error: 'BucketNameUnavailableError', Cause: 'Every bucket name candidate is taken\n    at createTenantBucket (functions/create-tenant-bucket.ts:10:5)' },
    };
    const { detail } = await publishOrgProvisioningFailed({ state, executionName }, { eventBridge, config, now });
    expect(detail).toMatchObject({ error: 'BucketNameUnavailableError', reason: 'Every bucket name candidate is taken', rolledBack: true });
    expect(() => assertOrgProvisioningFailedDetail(detail)).not.toThrow();
  });

  it('reports a ValidateOrg failure (no tenant) with the raw orgId cut to 100 characters and no rollback', async () => {
    const orgId = `${'x'.repeat(150)} bad`;
    const state: ProvisionState = {
      orgId,
      error: { Error: 'InvalidOrgIdError', Cause: JSON.stringify({ errorType: 'InvalidOrgIdError', errorMessage: 'Invalid OrgCreated: orgId "xxx…" is invalid', trace: [] }) },
    };
    const { detail } = await publishOrgProvisioningFailed({ state, executionName: 'org-xxx' }, { eventBridge, config, now });

    expect(detail.orgId).toHaveLength(100);
    expect(orgId.startsWith(detail.orgId?.slice(0, 99) ?? '-')).toBe(true);
    expect(detail).toMatchObject({ executionName: 'org-xxx', stage: 'workflow', error: 'InvalidOrgIdError', reason: 'Invalid OrgCreated: orgId "xxx…" is invalid', rolledBack: false });
    expect(() => assertOrgProvisioningFailedDetail(detail)).not.toThrow();
  });

  it('leaves orgId out when the input had no string orgId', async () => {
    const state = { orgId: 42, error: { Error: 'InvalidOrgIdError', Cause: 'orgId is required' } } as unknown as ProvisionState;
    const { detail } = await publishOrgProvisioningFailed({ state, executionName: 'org-42' }, { eventBridge, config, now });
    expect(detail).not.toHaveProperty('orgId');
    expect(() => assertOrgProvisioningFailedDetail(detail)).not.toThrow();
  });

  it('falls back to a sentence naming the error when the Cause has no message', async () => {
    const state: ProvisionState = { tenant, error: { Error: 'TenantQuotaExceededError', Cause: JSON.stringify({ errorType: 'X', trace: ['at y'] }) } };
    const { detail } = await publishOrgProvisioningFailed({ state, executionName }, { eventBridge, config, now });
    expect(detail.reason).toBe('Provisioning failed with TenantQuotaExceededError');
    expect(detail.rolledBack).toBe(false);
  });

  it('cuts a long reason to 1000 characters', async () => {
    const state: ProvisionState = { tenant, error: { Error: 'PublicAccessBlockedError', Cause: 'y'.repeat(5000) } };
    const { detail } = await publishOrgProvisioningFailed({ state, executionName }, { eventBridge, config, now });
    expect(detail.reason).toHaveLength(1000);
  });

  it('throws EventPublishError when EventBridge rejects the entry', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] });
    await expect(publishOrgProvisioningFailed({ state: rolledBackState, executionName }, { eventBridge, config, now })).rejects.toThrow(EventPublishError);
  });

  it('works through the Lambda handler', async () => {
    const fakeContext = { functionName: 'publishOrgProvisioningFailed', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
    const result = await handler({ state: rolledBackState, executionName }, fakeContext);
    expect(result.detail).toMatchObject({ orgId: 'Acme-Bistro-42', error: 'TenantUserConflictError', rolledBack: true });
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });
});
