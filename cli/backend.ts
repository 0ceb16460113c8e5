import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../functions/lib/config';
import type { RedriveResult, Workflow } from '../functions/lib/executions';
import type { LifecycleResult } from '../functions/lib/ledger/apply';
import type { NewGenerationRequest, RestoreRequest, ResumeRequest } from '../functions/lib/ledger/lifecycle';
import type { LedgerStore } from '../functions/lib/ledger/store';
import type { OperatorPort } from '../functions/lib/operator-port';

export type { OperatorPort };

export type OrgEventType = 'OrgCreated' | 'OrgDeleted';

/** What putting an event did: AWS gives the event id; locally the router ran in-process and says what it did. */
export interface PutOrgEventResult {
  eventId?: string;
  route?: LifecycleResult;
}

/** The operators' requests the lifecycle rules decide (functions/lib/ledger/lifecycle.ts). */
export type OperatorRequest = RestoreRequest | NewGenerationRequest | ResumeRequest;

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
