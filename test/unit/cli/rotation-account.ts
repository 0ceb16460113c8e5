/**
 * Secrets Manager and IAM as far as a tenant key's rotation goes, over the mocked SDK clients: the
 * tenant secrets' versions and staging labels, their rotation configuration and LastRotatedDate,
 * and the tenant users' access keys. RotateSecret does what Secrets Manager and the rotation
 * function do together (a new key, a new version AWSCURRENT, the old one AWSPREVIOUS), at once or
 * after some DescribeSecret calls, or never (a rotation function that keeps failing); with
 * RotateImmediately false it only configures the schedule.
 *
 * A model, because the emulator cannot do this: moto's RotateSecret invokes only a Lambda it hosts
 * (Docker), and it can hold neither an empty AWSPENDING version nor a rotation configuration
 * without one (DESIGN 10; local/secrets-rotation.ts stands in for it in local mode).
 */
import {
  ListAccessKeysCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { ACCOUNT, REGION } from './world';

const meta = { $metadata: {} };
const DAY_MS = 86_400_000;

export interface ModelKey {
  id: string;
  status: 'Active' | 'Inactive';
  created: Date;
}

interface ModelVersion {
  stages: string[];
  keyId?: string;
  created: Date;
}

export interface ModelSecret {
  name: string;
  arn: string;
  orgId: string;
  slug: string;
  userName: string;
  versions: Map<string, ModelVersion>;
  rotation?: { enabled: boolean; days: number; lambdaArn: string };
  lastRotated?: Date;
}

/** What RotateSecret does: finish (after `describes` more DescribeSecret calls), never finish, or refuse. */
export type RotationBehaviour = { kind: 'complete'; describes?: number } | { kind: 'stuck' } | { kind: 'refuse'; error: () => Error };

/** A secret access key of the model: what tests check never reaches the output. */
export const secretOf = (keyId: string) => `SECRET/${keyId}/wJalrXUtnFEMI`;

export class RotationAccount {
  readonly secrets = new Map<string, ModelSecret>();
  readonly users = new Map<string, ModelKey[]>();
  /** How RotateSecret behaves, per secret name (default: completes at once). */
  readonly behaviour = new Map<string, RotationBehaviour>();
  private counter = 0;
  private finishing = new Map<string, { versionId: string; describes: number }>();

  constructor(private readonly now: () => Date) {}

  private nextKeyId(): string {
    return `AKIAMODEL${String(++this.counter).padStart(11, '0')}`;
  }

  /** A tenant whose current key is `ageDays` old; rotation configured (every `rotationDays`) unless undefined; optionally an earlier key. */
  tenant(orgId: string, options: { ageDays: number; rotationDays?: number; lastRotatedDaysAgo?: number; previous?: { status: 'Active' | 'Inactive' } }): { secret: ModelSecret; currentKeyId: string; previousKeyId?: string } {
    const slug = orgId.toLowerCase();
    const userName = `rms_${slug}`;
    const now = this.now().getTime();
    const current: ModelKey = { id: this.nextKeyId(), status: 'Active', created: new Date(now - options.ageDays * DAY_MS) };
    const keys = [current];
    const secret: ModelSecret = {
      name: `fusion-rms/dev/${slug}/credentials`,
      arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:fusion-rms/dev/${slug}/credentials-AbCdEf`,
      orgId,
      slug,
      userName,
      versions: new Map([[`v-${slug}-1`, { stages: ['AWSCURRENT'], keyId: current.id, created: current.created }]]),
      ...(options.rotationDays ? { rotation: { enabled: true, days: options.rotationDays, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioner-dev-rotateTenantCredentials' } } : {}),
      ...(options.lastRotatedDaysAgo !== undefined ? { lastRotated: new Date(now - options.lastRotatedDaysAgo * DAY_MS) } : {}),
    };
    let previousKeyId: string | undefined;
    if (options.previous) {
      const previous: ModelKey = { id: this.nextKeyId(), status: options.previous.status, created: new Date(current.created.getTime() - 90 * DAY_MS) };
      keys.push(previous);
      previousKeyId = previous.id;
      secret.versions.set(`v-${slug}-0`, { stages: ['AWSPREVIOUS'], keyId: previous.id, created: previous.created });
    }
    this.users.set(userName, keys);
    this.secrets.set(secret.name, secret);
    return { secret, currentKeyId: current.id, ...(previousKeyId ? { previousKeyId } : {}) };
  }

  /** Puts AWSPENDING on a new, empty version created `ageMs` ago (a rotation under way, or abandoned). */
  pending(secretName: string, ageMs: number): string {
    const secret = this.secret(secretName);
    const versionId = `v-${secret.slug}-pending`;
    secret.versions.set(versionId, { stages: ['AWSPENDING'], created: new Date(this.now().getTime() - ageMs) });
    return versionId;
  }

  secret(secretId: string): ModelSecret {
    const secret = this.secrets.get(secretId) ?? [...this.secrets.values()].find((s) => s.arn === secretId);
    if (!secret) throw new ResourceNotFoundException({ ...meta, message: "Secrets Manager can't find the specified secret." });
    return secret;
  }

  keyIdAt(secretName: string, stage: string): string | undefined {
    return [...this.secret(secretName).versions.values()].find((version) => version.stages.includes(stage))?.keyId;
  }

  private versionAt(secret: ModelSecret, stage: string): string | undefined {
    return [...secret.versions.entries()].find(([, version]) => version.stages.includes(stage))?.[0];
  }

  /** The rotation function's four steps and Secrets Manager's label moves, done. */
  private finish(secret: ModelSecret, versionId: string): void {
    const keys = this.users.get(secret.userName) ?? [];
    const currentVersion = this.versionAt(secret, 'AWSCURRENT');
    const currentKeyId = currentVersion ? secret.versions.get(currentVersion)?.keyId : undefined;
    // createSecret makes room: every key but the current one goes (the CLI refused a previous key still in its overlap).
    const kept = keys.filter((key) => key.id === currentKeyId);
    const fresh: ModelKey = { id: this.nextKeyId(), status: 'Active', created: this.now() };
    this.users.set(secret.userName, [...kept, fresh]);
    for (const version of secret.versions.values()) version.stages = version.stages.filter((stage) => stage !== 'AWSPREVIOUS' && stage !== 'AWSPENDING');
    if (currentVersion) (secret.versions.get(currentVersion) as ModelVersion).stages = ['AWSPREVIOUS'];
    secret.versions.set(versionId, { stages: ['AWSCURRENT'], keyId: fresh.id, created: this.now() });
    secret.lastRotated = this.now();
  }

  install(mocks: { iam: AwsClientStub<IAMClient>; secretsManager: AwsClientStub<SecretsManagerClient> }): this {
    const { iam, secretsManager } = mocks;
    secretsManager.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) => {
      const secret = this.secret(input.SecretId);
      const finishing = this.finishing.get(secret.name);
      if (finishing && finishing.describes-- <= 0) {
        this.finishing.delete(secret.name);
        this.finish(secret, finishing.versionId);
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        Tags: [
          { Key: 'OrgId', Value: secret.orgId },
          { Key: 'ManagedBy', Value: 'tenant-provisioner' },
        ],
        ...(secret.rotation ? { RotationEnabled: secret.rotation.enabled, RotationLambdaARN: secret.rotation.lambdaArn, RotationRules: { AutomaticallyAfterDays: secret.rotation.days } } : {}),
        ...(secret.lastRotated ? { LastRotatedDate: secret.lastRotated } : {}),
        ...(secret.rotation?.enabled ? { NextRotationDate: new Date((secret.lastRotated ?? this.now()).getTime() + secret.rotation.days * DAY_MS) } : {}),
        VersionIdsToStages: Object.fromEntries([...secret.versions.entries()].filter(([, version]) => version.stages.length > 0).map(([id, version]) => [id, [...version.stages]])),
      };
    });
    secretsManager.on(GetSecretValueCommand).callsFake((input: { SecretId: string; VersionStage?: string; VersionId?: string }) => {
      const secret = this.secret(input.SecretId);
      const stage = input.VersionStage ?? 'AWSCURRENT';
      const entry = [...secret.versions.entries()].find(([id, version]) => (input.VersionId ? id === input.VersionId : version.stages.includes(stage)));
      if (!entry?.[1].keyId) throw new ResourceNotFoundException({ ...meta, message: "Secrets Manager can't find the specified secret value for staging label: " + stage });
      const keyId = entry[1].keyId;
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: entry[0],
        CreatedDate: entry[1].created,
        SecretString: JSON.stringify({ accessKeyId: keyId, secretAccessKey: secretOf(keyId), bucket: `fusion-rms-${secret.slug}`, region: REGION, userName: secret.userName }),
      };
    });
    secretsManager.on(ListSecretVersionIdsCommand).callsFake((input: { SecretId: string }) => {
      const secret = this.secret(input.SecretId);
      return { ARN: secret.arn, Name: secret.name, Versions: [...secret.versions.entries()].map(([id, version]) => ({ VersionId: id, VersionStages: version.stages, CreatedDate: version.created })) };
    });
    secretsManager.on(UpdateSecretVersionStageCommand).callsFake((input: { SecretId: string; VersionStage: string; RemoveFromVersionId?: string; MoveToVersionId?: string }) => {
      const secret = this.secret(input.SecretId);
      const from = input.RemoveFromVersionId ? secret.versions.get(input.RemoveFromVersionId) : undefined;
      if (input.RemoveFromVersionId && !from?.stages.includes(input.VersionStage)) {
        throw new InvalidRequestException({ ...meta, message: `The staging label ${input.VersionStage} is not attached to version ${input.RemoveFromVersionId}` });
      }
      if (from) from.stages = from.stages.filter((stage) => stage !== input.VersionStage);
      return { ARN: secret.arn, Name: secret.name };
    });
    secretsManager.on(RotateSecretCommand).callsFake((input: { SecretId: string; RotationLambdaARN?: string; RotationRules?: { AutomaticallyAfterDays?: number }; RotateImmediately?: boolean }) => {
      const secret = this.secret(input.SecretId);
      const behaviour = this.behaviour.get(secret.name) ?? { kind: 'complete' };
      if (behaviour.kind === 'refuse') throw behaviour.error();
      const current = this.versionAt(secret, 'AWSCURRENT');
      const pending = this.versionAt(secret, 'AWSPENDING');
      if (pending && pending !== current) throw new InvalidRequestException({ ...meta, message: "A previous rotation isn't complete. That rotation will be reattempted." });
      if (input.RotationLambdaARN) secret.rotation = { enabled: true, days: input.RotationRules?.AutomaticallyAfterDays ?? 30, lambdaArn: input.RotationLambdaARN };
      if (!secret.rotation?.enabled) throw new InvalidRequestException({ ...meta, message: 'Rotation is not configured: specify RotationLambdaARN' });
      // RotateImmediately false: the schedule only (Secrets Manager's test of it, testSecret on a pending copy it removes, leaves the versions as they were).
      if (input.RotateImmediately === false) return { ARN: secret.arn, Name: secret.name };
      const versionId = `v-${secret.slug}-r${++this.counter}`;
      secret.versions.set(versionId, { stages: ['AWSPENDING'], created: this.now() });
      if (behaviour.kind === 'complete') {
        if (behaviour.describes) this.finishing.set(secret.name, { versionId, describes: behaviour.describes });
        else this.finish(secret, versionId);
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
    });
    iam.on(ListAccessKeysCommand).callsFake((input: { UserName: string }) => {
      const keys = this.users.get(input.UserName);
      if (!keys) throw new NoSuchEntityException({ ...meta, message: `The user with name ${input.UserName} cannot be found.` });
      return { AccessKeyMetadata: keys.map((key) => ({ UserName: input.UserName, AccessKeyId: key.id, Status: key.status, CreateDate: key.created })), IsTruncated: false };
    });
    iam.on(UpdateAccessKeyCommand).callsFake((input: { UserName: string; AccessKeyId: string; Status: 'Active' | 'Inactive' }) => {
      const key = this.users.get(input.UserName)?.find((held) => held.id === input.AccessKeyId);
      if (!key) throw new NoSuchEntityException({ ...meta, message: `The Access Key with id ${input.AccessKeyId} cannot be found.` });
      key.status = input.Status;
      return {};
    });
    return this;
  }
}
