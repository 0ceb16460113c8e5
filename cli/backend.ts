import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ExecutionEvent, ExecutionPort, RedriveResult, StartResult, Workflow } from '../functions/lib/executions';
import type { RouteResult } from '../functions/route-org-event';

/** The execution port with the history every backend keeps. */
export interface OperatorPort extends ExecutionPort {
  history(workflow: Workflow, name: string): Promise<ExecutionEvent[] | undefined>;
}

export type OrgEventType = 'OrgCreated' | 'OrgDeleted';

/** What putting an event did: AWS gives the event id; locally the router ran in-process and says what it did. */
export interface PutOrgEventResult {
  eventId?: string;
  route?: RouteResult;
}

/**
 * What the commands run against: Step Functions + EventBridge in an AWS account, or the
 * embedded default. Commands see only this.
 */
export interface Backend {
  mode: 'aws' | 'local';
  /** One line for the operator: where the commands act. */
  location: string;
  accountId: string;
  region: string;
  naming: { bucketPrefix: string; userPrefix: string; maxBucketCandidates: number };
  executions: OperatorPort;
  s3For(region: string): S3Client;
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  /** Puts OrgCreated/OrgDeleted as the POS system does. */
  putOrgEvent(detailType: OrgEventType, detail: Record<string, unknown>): Promise<PutOrgEventResult>;
  /** Starts an execution directly (the operators' `--new-generation` override); it runs on after the command. */
  startExecution(workflow: Workflow, name: string, input: unknown): Promise<StartResult>;
  /** Redrives a failed execution; it runs on after the command. */
  redrive(workflow: Workflow, name: string, clientToken: string): Promise<RedriveResult>;
  /** How a redrive resumes: at the failed state (Step Functions) or from the start (the local runner). */
  redriveFrom: RedriveResult['redriveFrom'];
  /** How often to poll a followed execution. */
  pollMs: number;
  close(): Promise<void>;
}
