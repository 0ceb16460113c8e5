/**
 * The daily sweep that deactivates previous keys past their overlap, with mocked clients: which
 * secrets it picks from ListSecrets alone, and that one tenant's failure does not stop the others.
 * (retirePreviousTenantKey's own rules are proven in rotate-tenant-credentials.test.ts.)
 */
import 'aws-sdk-client-mock-jest';
import { ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, type SecretListEntry } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../../../functions/lib/config';
import { RETIRE_WINDOW_DAYS, retirePreviousTenantKeys, RetireSweepError } from '../../../functions/retire-previous-tenant-keys';
import { accessDeniedError } from '../../support/fault-injection';
import { orgTags } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedIam, mockedSecretsManager } from '../../support/mocked-clients';

const { iamMock, iam } = mockedIam();
const { secretsMock, secretsManager } = mockedSecretsManager();
const config = loadConfig();
const DAY_MS = 86_400_000;
const NOW = new Date('2026-12-03T06:00:00Z');
const overlap = config.previousKeyOverlapDays * DAY_MS;

/** A tenant secret `slug` as ListSecrets lists it: rotated `rotatedDaysAgo` ago, with a previous version or not. */
function listed(slug: string, rotatedDaysAgo: number | undefined, previous = true): SecretListEntry {
  const name = `fusion-rms/test/${slug}/credentials`;
  return {
    ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
    Name: name,
    ...(rotatedDaysAgo === undefined ? {} : { LastRotatedDate: new Date(NOW.getTime() - rotatedDaysAgo * DAY_MS) }),
    SecretVersionsToStages: { [`${slug}-v2`]: ['AWSCURRENT'], ...(previous ? { [`${slug}-v1`]: ['AWSPREVIOUS'] } : {}) },
  };
}

/** Each listed secret as DescribeSecret and GetSecretValue answer it, and its user's two keys as IAM lists them. */
function answer(entries: SecretListEntry[]): void {
  secretsMock.on(ListSecretsCommand).resolves({ SecretList: entries });
  for (const entry of entries) {
    const slug = (entry.Name ?? '').split('/')[2] ?? '';
    secretsMock.on(DescribeSecretCommand, { SecretId: entry.ARN }).resolves({ ...entry, Tags: orgTags('run-1'), VersionIdsToStages: entry.SecretVersionsToStages });
    for (const [stage, keyId] of [['AWSCURRENT', `AKIACURRENT${slug.toUpperCase().replace(/-/g, '')}`.slice(0, 20)], ['AWSPREVIOUS', `AKIAPREVIOUS${slug.toUpperCase().replace(/-/g, '')}`.slice(0, 20)]] as const) {
      secretsMock
        .on(GetSecretValueCommand, { SecretId: entry.ARN, VersionStage: stage })
        .resolves({ SecretString: JSON.stringify({ accessKeyId: keyId, secretAccessKey: 'never-logged', bucket: `fusion-rms-${slug}`, region: 'us-east-1', userName: `rms_${slug}` }) });
    }
  }
  iamMock.on(ListAccessKeysCommand).callsFake((input: { UserName: string }) => {
    const slug = input.UserName.replace(/^rms_/, '').toUpperCase().replace(/-/g, '');
    return { AccessKeyMetadata: [{ AccessKeyId: `AKIACURRENT${slug}`.slice(0, 20), Status: 'Active' }, { AccessKeyId: `AKIAPREVIOUS${slug}`.slice(0, 20), Status: 'Active' }], IsTruncated: false };
  });
  iamMock.on(UpdateAccessKeyCommand).resolves({});
}

const deactivated = () => iamMock.commandCalls(UpdateAccessKeyCommand).map((call) => `${String(call.args[0].input.UserName)} ${String(call.args[0].input.AccessKeyId)} ${String(call.args[0].input.Status)}`);
const deps = () => ({ iam, secretsManager, config, now: () => NOW });

describe('retirePreviousTenantKeys', () => {
  it("deactivates exactly the previous keys whose overlap ended within the window, asking ListSecrets for this stage's tenant secrets", async () => {
    const days = config.previousKeyOverlapDays;
    answer([
      listed('in-overlap', days - 1),
      listed('just-ended', days + 0.5),
      listed('ended-long-ago', days + RETIRE_WINDOW_DAYS + 1),
      listed('never-rotated', undefined),
      listed('no-previous', days + 1, false),
    ]);

    const result = await retirePreviousTenantKeys(deps());

    expect(deactivated()).toEqual(['rms_just-ended AKIAPREVIOUSJUSTENDE Inactive']);
    expect(result).toEqual({ examined: 1, outcomes: { deactivated: 1 }, failed: [], deferred: 0 });
    expect(secretsMock).toHaveReceivedCommandWith(ListSecretsCommand, {
      Filters: [
        { Key: 'name', Values: ['fusion-rms/test/'] },
        { Key: 'tag-key', Values: ['ManagedBy'] },
        { Key: 'tag-value', Values: ['tenant-provisioner'] },
      ],
    });
    expect(secretsMock).toHaveReceivedCommandTimes(DescribeSecretCommand, 1);
    expect(overlap).toBeGreaterThan(0);
  });

  it("goes on past one tenant's failure, then fails naming it (its alarm fires), never with a secret", async () => {
    const days = config.previousKeyOverlapDays;
    answer([listed('denied', days + 1), listed('fine', days + 1)]);
    iamMock.on(UpdateAccessKeyCommand, { UserName: 'rms_denied' }).rejects(accessDeniedError('IAM.UpdateAccessKey'));

    const error = await retirePreviousTenantKeys(deps()).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(RetireSweepError);
    expect(String(error)).toMatch(/1 of 2 tenant secret\(s\): .*fusion-rms\/test\/denied\/credentials.* \(AccessDenied/);
    expect(String(error)).not.toContain('never-logged');
    expect(deactivated()).toContain('rms_fine AKIAPREVIOUSFINE Inactive');
  });

  it('leaves the rest for the next run when its time runs short', async () => {
    answer([listed('one', config.previousKeyOverlapDays + 1)]);

    const result = await retirePreviousTenantKeys(deps(), fakeLambdaContext('tenant-provisioner-test-retirePreviousTenantKeys', () => 5_000));

    expect(result).toEqual({ examined: 0, outcomes: {}, failed: [], deferred: 1 });
    expect(deactivated()).toEqual([]);
  });
});
