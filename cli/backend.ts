import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DescribeSecretResponse, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../functions/lib/config';
import type { RedriveResult, Workflow } from '../functions/lib/executions';
import type { LifecycleResult } from '../functions/lib/ledger/apply';
import type { NewGenerationRequest, RestoreRequest, ResumeRequest } from '../functions/lib/ledger/lifecycle';
import type { LedgerStore } from '../functions/lib/ledger/store';
import type { OperatorPort } from '../functions/lib/operator-port';
import type { RetiredTenantKey } from '../functions/lib/rotation/retire';

export type { OperatorPort };

export type OrgEventType = 'OrgCreated' | 'OrgDeleted';

/** What putting an event did: AWS gives the event id; locally the router ran in-process and says what it did. */
export interface PutOrgEventResult {
  eventId?: string;
  route?: LifecycleResult;
}

/** The operators' requests the lifecycle rules decide (functions/lib/ledger/lifecycle.ts). */
export type OperatorRequest = RestoreRequest | NewGenerationRequest | ResumeRequest;

/** What a rotation reports while it runs (tenantctl rotate prints it). Never a secret. */
export type KeyRotationProgress =
  /** AWSPENDING sat on a version that is not AWSCURRENT (an earlier rotation never finished): the label was removed. */
  | { kind: 'cleared-stale-pending'; versionId: string; createdAt?: Date }
  /** The secret had no rotation configured: it gets the stage's schedule, and this first rotation. */
  | { kind: 'configuring'; rotationDays: number; functionArn?: string }
  /** Secrets Manager (or the local stand-in) has the rotation: AWSPENDING goes on `versionId`. */
  | { kind: 'started'; versionId: string }
  /** Still waiting for the rotation function's four steps. */
  | { kind: 'waiting'; versionId: string; elapsedMs: number };

/** A finished rotation: AWSCURRENT moved from `previousVersionId` to `versionId`. */
export interface KeyRotationResult {
  versionId: string;
  previousVersionId?: string;
  /** Rotation was configured by this call (the secret had none), with this schedule. */
  configured?: { rotationDays: number; functionArn?: string };
  /** A stale AWSPENDING label removed before rotating. */
  clearedPendingVersionId?: string;
}

/** A secret's rotation schedule as DescribeSecret tells it. */
export interface SecretRotationSchedule {
  enabled: boolean;
  everyDays?: number;
  scheduleExpression?: string;
  functionArn?: string;
}

/** What putting a secret on the stage's schedule found: already on it (nothing was sent), or now on it. */
export interface KeyScheduleResult {
  outcome: 'scheduled' | 'already-scheduled';
  everyDays: number;
  functionArn?: string;
}

/**
 * Whether a secret rotates on the stage's schedule: enabled, every `days` (not a cron expression),
 * with the stage's rotation function where the backend names one (locally the stand-in runs the
 * real handler whatever the secret says).
 */
export function isOnStageSchedule(rotation: SecretRotationSchedule, days: number, functionArn: string | undefined): boolean {
  return rotation.enabled && rotation.everyDays === days && rotation.scheduleExpression === undefined && (functionArn === undefined || rotation.functionArn === functionArn);
}

/**
 * A tenant secret's rotation as the operators drive it: Secrets Manager's RotateSecret on AWS, the
 * local stand-in (local/secrets-rotation.ts) in local mode, which runs the same rotation function.
 */
export interface KeyRotationPort {
  /**
   * Rotates now (the "key leaked" button) and waits until AWSCURRENT has moved to the new version.
   * A secret without rotation gets the stage's schedule first.
   * @throws CliError naming what stopped it: no such secret, no schedule to configure, a rotation still under way, or one that failed or timed out (the current key keeps working).
   */
  rotateNow(secretId: string, onProgress?: (progress: KeyRotationProgress) => void): Promise<KeyRotationResult>;
  /** The stage's rotation function a schedule names (AWS); undefined locally. */
  readonly functionArn?: string;
  /**
   * Puts the secret on the stage's schedule, every `days`, without rotating now (RotateSecret with
   * the stage's rotation function and RotateImmediately false, the only form the stage's roles
   * allow); a secret already on that schedule is left alone, nothing sent. Safe to repeat.
   * @throws CliError for no such secret, one being deleted, `days` 0, or a schedule Secrets Manager refuses.
   */
  schedule(secretId: string, days: number): Promise<KeyScheduleResult>;
  /** Deactivates the AWSPREVIOUS version's key once `overlapDays` after the last rotation have passed (0: now). */
  retirePrevious(secretId: string, options: { overlapDays: number }): Promise<RetiredTenantKey>;
  /** DescribeSecret as Secrets Manager answers it (rotation enabled, rules, last and next rotation, version stages); undefined for no such secret. */
  describe(secretId: string): Promise<DescribeSecretResponse | undefined>;
}

/**
 * What the commands run against: the tenant ledger, Step Functions and EventBridge in an AWS
 * account, or the embedded default. Commands see only this.
 */
export interface Backend {
  mode: 'aws' | 'local';
  /** One line for the operator: where the commands act. */
  location: string;
  accountId: string;
  region: string;
  /** The stage's configuration as its router has it: what the lifecycle rules decide with. */
  config: Config;
  /** The tenant ledger: the record of every tenant's life. */
  ledger: LedgerStore;
  executions: OperatorPort;
  s3For(region: string): S3Client;
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  /** Tenant key rotation (issue 18). */
  rotation: KeyRotationPort;
  /** Puts OrgCreated/OrgDeleted as the POS system does. */
  putOrgEvent(detailType: OrgEventType, detail: Record<string, unknown>): Promise<PutOrgEventResult>;
  /** An operator's request, decided by the lifecycle rules and applied to the ledger (a run it starts goes on after the command). */
  lifecycle(request: OperatorRequest): Promise<LifecycleResult>;
  /** Redrives a failed execution; it runs on after the command. */
  redrive(workflow: Workflow, name: string, clientToken: string): Promise<RedriveResult>;
  /** How a redrive resumes: at the failed state (Step Functions) or from the start (the local runner). */
  redriveFrom: RedriveResult['redriveFrom'];
  /** How often to poll a followed execution. */
  pollMs: number;
  close(): Promise<void>;
}
