/**
 * What key rotation relies on, held on the emulator: the version a plain GetSecretValue returns,
 * and the one a later PutSecretValue demotes to AWSPREVIOUS, is the AWSCURRENT one, wherever
 * UpdateSecretVersionStage moved that label (on AWS the default version *is* the AWSCURRENT one).
 * moto's own UpdateSecretVersionStage moves the label but not its default version; local/moto_server.py
 * moves both. (Local mode's clients also ask for AWSCURRENT by name: local/rotation-state.ts.
 * This test's client does not.)
 */
import { CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import { LOCAL_REGION } from '../../local/stack';
import { ENDPOINT_FILE } from './emulator-endpoint';

const NAME = `secret-versions-${Date.now().toString(36)}`;
const V1 = '11111111-1111-4111-8111-111111111111';
const V2 = '22222222-2222-4222-8222-222222222222';
const V3 = '33333333-3333-4333-8333-333333333333';
const client = new SecretsManagerClient({ endpoint: readFileSync(ENDPOINT_FILE, 'utf8').trim(), region: LOCAL_REGION, credentials: { accessKeyId: 'local-emulator', secretAccessKey: 'local-emulator' } });

afterAll(async () => {
  await client.send(new DeleteSecretCommand({ SecretId: NAME, ForceDeleteWithoutRecovery: true })).catch(() => undefined);
  client.destroy();
});

describe('the emulator', () => {
  it("moves a secret's default version with AWSCURRENT, as a rotation's finishSecret moves it", async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: 'first', ClientRequestToken: V1 }));
    await client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: 'rotated', ClientRequestToken: V2, VersionStages: ['AWSPENDING'] }));
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: NAME, VersionStage: 'AWSCURRENT', MoveToVersionId: V2, RemoveFromVersionId: V1 }));
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: NAME, VersionStage: 'AWSPENDING', RemoveFromVersionId: V2 }));

    await expect(client.send(new GetSecretValueCommand({ SecretId: NAME }))).resolves.toMatchObject({ VersionId: V2, SecretString: 'rotated' });

    // A later write of a new current value (a reissue) demotes the rotated version, leaving one AWSCURRENT.
    await client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: 'reissued', ClientRequestToken: V3, VersionStages: ['AWSCURRENT'] }));
    const { VersionIdsToStages } = await client.send(new DescribeSecretCommand({ SecretId: NAME }));
    expect(Object.entries(VersionIdsToStages ?? {}).filter(([, stages]) => stages.includes('AWSCURRENT'))).toEqual([[V3, ['AWSCURRENT']]]);
    expect(VersionIdsToStages?.[V2]).toEqual(['AWSPREVIOUS']);
  });
});
