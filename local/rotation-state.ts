/**
 * Where local mode keeps a secret's rotation configuration, and how Secrets Manager's answers
 * carry it. The emulator cannot hold one (local/secrets-rotation.ts says why), so it lives as tags
 * on the secret itself in the emulator, where every local process sees it (the demo, `tenantctl
 * --local`, the background emulator's later commands), and dies with the secret.
 *
 * {@link withLocalRotationState} puts it back where AWS has it: an SDK middleware on a Secrets
 * Manager client turns the tags of each DescribeSecret and ListSecrets answer into the fields AWS
 * answers with (RotationEnabled, RotationRules, RotationLambdaARN, LastRotatedDate,
 * NextRotationDate, and the AWSPENDING version of a rotation in progress that no value was stored
 * for yet), and hides the tags, so the real rotation handler runs unchanged.
 */
import type { DescribeSecretCommandOutput, ListSecretsCommandOutput, SecretListEntry, SecretsManagerClient, Tag } from '@aws-sdk/client-secrets-manager';
import { CURRENT, PENDING } from '../functions/lib/rotation/rotating-secret';

/** The tags, named after the fields of DescribeSecret they stand for. */
export const ROTATION_TAGS = {
  enabled: 'LocalRotation:RotationEnabled',
  days: 'LocalRotation:AutomaticallyAfterDays',
  /** When the schedule was (re)enabled: the next rotation is counted from it until a rotation ends. */
  scheduledDate: 'LocalRotation:ScheduledDate',
  lastRotatedDate: 'LocalRotation:LastRotatedDate',
  /** The ClientRequestToken of the rotation in progress: an AWSPENDING version, empty until createSecret stores it. */
  pendingVersionId: 'LocalRotation:PendingVersionId',
} as const;

const TAG_KEYS: readonly string[] = Object.values(ROTATION_TAGS);
/** Secrets Manager's staging labels. */
const DAY_MS = 86_400_000;

/** A secret's rotation as the stand-in holds it. `days` undefined: rotation never configured. */
export interface LocalRotationState {
  enabled: boolean;
  days: number | undefined;
  scheduledDate: Date | undefined;
  lastRotatedDate: Date | undefined;
  pendingVersionId: string | undefined;
}

function dateOf(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The rotation state the tags hold (none: never configured, not enabled). */
export function rotationStateOf(tags: readonly Tag[] | undefined): LocalRotationState {
  const record = new Map((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  const days = Number(record.get(ROTATION_TAGS.days));
  return {
    enabled: record.get(ROTATION_TAGS.enabled) === 'true',
    days: Number.isInteger(days) && days > 0 ? days : undefined,
    scheduledDate: dateOf(record.get(ROTATION_TAGS.scheduledDate)),
    lastRotatedDate: dateOf(record.get(ROTATION_TAGS.lastRotatedDate)),
    pendingVersionId: record.get(ROTATION_TAGS.pendingVersionId) || undefined,
  };
}

/** Whether a tag is one of the stand-in's (hidden from what AWS would answer). */
export function isRotationTag(key: string | undefined): boolean {
  return key !== undefined && TAG_KEYS.includes(key);
}

/**
 * When the next scheduled rotation is due: the rotation interval after the last rotation, or after
 * the schedule was enabled when that is later (a schedule enabled again after a cancel).
 */
export function nextRotationDate(state: LocalRotationState): Date | undefined {
  if (!state.enabled || state.days === undefined) return undefined;
  const from = [state.lastRotatedDate, state.scheduledDate].filter((date): date is Date => date !== undefined).sort((a, b) => b.getTime() - a.getTime())[0];
  return from && new Date(from.getTime() + state.days * DAY_MS);
}

/** The rotation function Secrets Manager would invoke for the secret `secretArn` (in its account and region). */
export function localRotationFunctionArn(secretArn: string | undefined, stage: string): string | undefined {
  const [, partition, , region, account] = (secretArn ?? '').split(':');
  if (!partition || !region || !account) return undefined;
  return `arn:${partition}:lambda:${region}:${account}:function:tenant-provisioner-${stage}-rotateTenantCredentials`;
}

type SecretAnswer = Pick<DescribeSecretCommandOutput, 'ARN' | 'Tags' | 'RotationEnabled' | 'RotationLambdaARN' | 'RotationRules' | 'LastRotatedDate' | 'NextRotationDate'>;

/**
 * Rewrites one secret's answer (DescribeSecret's, or a ListSecrets entry) in place as Secrets
 * Manager would give it with the tags' rotation state; `versions` is the answer's map of version
 * ids to stages (VersionIdsToStages or SecretVersionsToStages), which gains the rotation in
 * progress's AWSPENDING version while the emulator holds no value for it.
 */
function applyRotationState(answer: SecretAnswer, versions: Record<string, string[]> | undefined, stage: string): Record<string, string[]> | undefined {
  const state = rotationStateOf(answer.Tags);
  if (answer.Tags) answer.Tags = answer.Tags.filter((tag) => !isRotationTag(tag.Key));
  if (state.days !== undefined) {
    answer.RotationEnabled = state.enabled;
    answer.RotationRules = { AutomaticallyAfterDays: state.days };
    const arn = localRotationFunctionArn(answer.ARN, stage);
    if (arn) answer.RotationLambdaARN = arn;
    const next = nextRotationDate(state);
    if (next) answer.NextRotationDate = next;
    else delete answer.NextRotationDate;
  }
  if (state.lastRotatedDate) answer.LastRotatedDate = state.lastRotatedDate;
  const pending = state.pendingVersionId;
  if (pending === undefined || versions?.[pending]) return versions;
  // AWS makes the version (empty, staged AWSPENDING) before it invokes createSecret; the emulator
  // can hold no empty version, so until createSecret's PutSecretValue stores it, it is only here.
  const withPending: Record<string, string[]> = {};
  for (const [id, stages] of Object.entries(versions ?? {})) withPending[id] = stages.filter((s) => s !== PENDING);
  withPending[pending] = [PENDING];
  return withPending;
}

/** A DescribeSecret answer as Secrets Manager would give it with the rotation state its tags hold (a copy). */
export function describedWithRotationState<T extends SecretAnswer & { VersionIdsToStages?: Record<string, string[]> }>(described: T, stage: string): T {
  const answer = { ...described, ...(described.Tags ? { Tags: [...described.Tags] } : {}) };
  const versions = applyRotationState(answer, described.VersionIdsToStages, stage);
  if (versions) answer.VersionIdsToStages = versions;
  return answer;
}

/** A ListSecrets entry as Secrets Manager would give it (a copy). */
export function listedWithRotationState(entry: SecretListEntry, stage: string): SecretListEntry {
  const answer = { ...entry, ...(entry.Tags ? { Tags: [...entry.Tags] } : {}) };
  const versions = applyRotationState(answer, entry.SecretVersionsToStages, stage);
  if (versions) answer.SecretVersionsToStages = versions;
  return answer;
}

const MIDDLEWARE_NAME = 'localRotationState';
const CURRENT_BY_DEFAULT = 'localCurrentVersionByDefault';

/**
 * Makes `client`'s GetSecretValue without a VersionId or VersionStage ask for AWSCURRENT by name,
 * which is what AWS answers it with. moto answers it with the version it last stored as current,
 * and its UpdateSecretVersionStage moves the AWSCURRENT label without changing that: after a
 * rotation's finishSecret, moto would still hand out the old key (moto 5.2.5,
 * `update_secret_version_stage` never sets `default_version_id`). Safe to repeat on one client.
 */
export function withCurrentVersionByDefault<C extends SecretsManagerClient>(client: C): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { VersionId?: string; VersionStage?: string };
      if (context.commandName === 'GetSecretValueCommand' && input.VersionId === undefined && input.VersionStage === undefined) {
        return next({ ...args, input: { ...input, VersionStage: CURRENT } as typeof args.input });
      }
      return next(args);
    },
    { step: 'initialize', name: CURRENT_BY_DEFAULT, override: true },
  );
  return client;
}

/**
 * Makes `client`'s DescribeSecret and ListSecrets answers carry the rotation state local mode keeps
 * in tags (for the local stage `stage`), as AWS's carry its own, and its GetSecretValue answer with
 * the AWSCURRENT version by default ({@link withCurrentVersionByDefault}). Safe to repeat on one client.
 */
export function withLocalRotationState<C extends SecretsManagerClient>(client: C, stage: string): C {
  withCurrentVersionByDefault(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const output = result.output as object;
      if (context.commandName === 'DescribeSecretCommand') {
        result.output = describedWithRotationState(output as DescribeSecretCommandOutput, stage);
      } else if (context.commandName === 'ListSecretsCommand') {
        const listed = output as ListSecretsCommandOutput;
        if (listed.SecretList) result.output = { ...listed, SecretList: listed.SecretList.map((entry) => listedWithRotationState(entry, stage)) };
      }
      return result;
    },
    { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
  );
  return client;
}
