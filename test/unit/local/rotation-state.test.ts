import { DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describedWithRotationState, nextRotationDate, ROTATION_TAGS, rotationStateOf, withLocalRotationState } from '../../../local/rotation-state';
import { LOCAL_TEST_CREDENTIALS, recordedHttp } from './recorded-http';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fusion-rms/local/acme-bistro-42/credentials-AbCdEf';
const NAME = 'fusion-rms/local/acme-bistro-42/credentials';
const CURRENT_VERSION = '3ce27422-ce27-4bba-a104-d39f6605b87b';
const TOKEN = '5c10a467-9b44-4337-bdd1-8dc39847970a';
const OWN_TAGS = [
  { Key: 'OrgId', Value: 'Acme-Bistro-42' },
  { Key: 'ManagedBy', Value: 'tenant-provisioner' },
];

function tags(record: Record<string, string>) {
  return [...OWN_TAGS, ...Object.entries(record).map(([Key, Value]) => ({ Key, Value }))];
}

describe('describedWithRotationState', () => {
  it('answers with the rotation its tags hold, as DescribeSecret does on AWS, and hides the tags', () => {
    const described = describedWithRotationState(
      {
        ARN,
        Name: NAME,
        Tags: tags({ [ROTATION_TAGS.enabled]: 'true', [ROTATION_TAGS.days]: '90', [ROTATION_TAGS.scheduledDate]: '2026-12-01T00:00:00.000Z', [ROTATION_TAGS.lastRotatedDate]: '2026-12-03T05:19:35.000Z' }),
        VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'] },
      },
      'local',
    );

    expect(described).toEqual({
      ARN,
      Name: NAME,
      Tags: OWN_TAGS,
      RotationEnabled: true,
      RotationRules: { AutomaticallyAfterDays: 90 },
      RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioner-local-rotateTenantCredentials',
      LastRotatedDate: new Date('2026-12-03T05:19:35.000Z'),
      NextRotationDate: new Date('2027-03-03T05:19:35.000Z'),
      VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'] },
    });
  });

  it('shows the rotation in progress as an AWSPENDING version until createSecret stores it, then the emulator\'s own stages', () => {
    const pendingTags = tags({ [ROTATION_TAGS.enabled]: 'true', [ROTATION_TAGS.days]: '90', [ROTATION_TAGS.pendingVersionId]: TOKEN });

    const beforeStored = describedWithRotationState({ ARN, Tags: pendingTags, VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'] } }, 'local');
    const afterFinished = describedWithRotationState({ ARN, Tags: pendingTags, VersionIdsToStages: { [CURRENT_VERSION]: ['AWSPREVIOUS'], [TOKEN]: ['AWSCURRENT'] } }, 'local');

    expect(beforeStored.VersionIdsToStages).toEqual({ [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
    expect(afterFinished.VersionIdsToStages).toEqual({ [CURRENT_VERSION]: ['AWSPREVIOUS'], [TOKEN]: ['AWSCURRENT'] });
  });

  it('says a cancelled rotation is off but keeps its rules, and leaves a secret never configured as the emulator answers it', () => {
    const cancelled = describedWithRotationState({ ARN, Tags: tags({ [ROTATION_TAGS.enabled]: 'false', [ROTATION_TAGS.days]: '30' }) }, 'local');
    const never = describedWithRotationState({ ARN, Tags: OWN_TAGS }, 'local');

    expect(cancelled).toMatchObject({ RotationEnabled: false, RotationRules: { AutomaticallyAfterDays: 30 }, Tags: OWN_TAGS });
    expect(cancelled).not.toHaveProperty('NextRotationDate');
    expect(never).toEqual({ ARN, Tags: OWN_TAGS });
  });

  it('does not change the answer it is given', () => {
    const answer = { ARN, Tags: tags({ [ROTATION_TAGS.pendingVersionId]: TOKEN }), VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'] } };

    describedWithRotationState(answer, 'local');

    expect(answer.Tags).toHaveLength(3);
    expect(Object.keys(answer.VersionIdsToStages)).toEqual([CURRENT_VERSION]);
  });
});

describe('nextRotationDate', () => {
  it('counts the interval from the last rotation, or from the schedule when it was enabled again since', () => {
    const lastRotated = rotationStateOf(tags({ [ROTATION_TAGS.enabled]: 'true', [ROTATION_TAGS.days]: '10', [ROTATION_TAGS.scheduledDate]: '2026-01-01T00:00:00.000Z', [ROTATION_TAGS.lastRotatedDate]: '2026-02-01T00:00:00.000Z' }));
    const reenabled = rotationStateOf(tags({ [ROTATION_TAGS.enabled]: 'true', [ROTATION_TAGS.days]: '10', [ROTATION_TAGS.scheduledDate]: '2026-03-01T00:00:00.000Z', [ROTATION_TAGS.lastRotatedDate]: '2026-02-01T00:00:00.000Z' }));

    expect(nextRotationDate(lastRotated)).toEqual(new Date('2026-02-11T00:00:00.000Z'));
    expect(nextRotationDate(reenabled)).toEqual(new Date('2026-03-11T00:00:00.000Z'));
  });
});

describe('withLocalRotationState', () => {
  const client = (http: ReturnType<typeof recordedHttp>) =>
    withLocalRotationState(new SecretsManagerClient({ region: 'us-east-1', credentials: LOCAL_TEST_CREDENTIALS, requestHandler: http.requestHandler }), 'local');

  it('gives the client\'s DescribeSecret answers the rotation state, as the rotation handler reads them', async () => {
    const http = recordedHttp(
      JSON.stringify({ ARN, Name: NAME, Tags: tags({ [ROTATION_TAGS.enabled]: 'true', [ROTATION_TAGS.days]: '90', [ROTATION_TAGS.pendingVersionId]: TOKEN }), VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'] } }),
      { 'content-type': 'application/x-amz-json-1.1' },
    );

    const described = await client(http).send(new DescribeSecretCommand({ SecretId: ARN }));

    expect(described).toMatchObject({ RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 90 }, Tags: OWN_TAGS, VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] } });
  });

  it('gives every ListSecrets entry the same, as the daily retirement chooses from them', async () => {
    const http = recordedHttp(
      JSON.stringify({ SecretList: [{ ARN, Name: NAME, Tags: tags({ [ROTATION_TAGS.enabled]: 'true', [ROTATION_TAGS.days]: '90', [ROTATION_TAGS.lastRotatedDate]: '2026-12-03T05:19:35.000Z' }) }] }),
      { 'content-type': 'application/x-amz-json-1.1' },
    );

    const listed = await client(http).send(new ListSecretsCommand({}));

    expect(listed.SecretList).toEqual([expect.objectContaining({ RotationEnabled: true, LastRotatedDate: new Date('2026-12-03T05:19:35.000Z'), Tags: OWN_TAGS })]);
  });

  it('asks for AWSCURRENT by name when GetSecretValue names no version, as AWS answers it', async () => {
    const http = recordedHttp(JSON.stringify({ ARN, Name: NAME, VersionId: TOKEN, VersionStages: ['AWSCURRENT'], SecretString: '{}' }), { 'content-type': 'application/x-amz-json-1.1' });
    const secrets = client(http);

    await secrets.send(new GetSecretValueCommand({ SecretId: NAME }));
    await secrets.send(new GetSecretValueCommand({ SecretId: NAME, VersionId: CURRENT_VERSION }));

    expect(JSON.parse(http.bodyOf(0))).toEqual({ SecretId: NAME, VersionStage: 'AWSCURRENT' });
    expect(JSON.parse(http.bodyOf(1))).toEqual({ SecretId: NAME, VersionId: CURRENT_VERSION });
  });
});
