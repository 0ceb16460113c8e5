import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import type { ExecutionPort } from './lib/executions';
import type { FunctionBase } from './lib/handler';
import type { LiveTenantsMetric } from './lib/ledger/apply';
import { DynamoLedgerStore } from './lib/ledger/dynamo-store';
import type { KeyRotationSchedule } from './lib/rotation-schedule';
import type { S3ForRegion } from './lib/s3-clients';
import { applyTenantBucketPolicyHandler } from './apply-tenant-bucket-policy';
import { claimTenantPrefixHandler } from './claim-tenant-prefix';
import { configureTenantBucketHandler } from './configure-tenant-bucket';
import { createTenantBucketHandler } from './create-tenant-bucket';
import { createTenantUserHandler } from './create-tenant-user';
import { deleteTenantBucketHandler } from './delete-tenant-bucket';
import { deleteTenantCredentialsHandler } from './delete-tenant-credentials';
import { deleteTenantUserHandler } from './delete-tenant-user';
import { issueTenantCredentialsHandler } from './issue-tenant-credentials';
import { proveTenantCredentialsHandler, type TenantClients, type TenantKey } from './prove-tenant-credentials';
import { prepareTeardownHandler } from './prepare-teardown';
import { publishOrgProvisionedHandler } from './publish-org-provisioned';
import { publishOrgDeprovisionedHandler } from './publish-org-deprovisioned';
import { publishOrgProvisioningFailedHandler } from './publish-org-provisioning-failed';
import { publishOrgRestoredHandler } from './publish-org-restored';
import { recordTenantStateHandler } from './record-tenant-state';
import { restoreTenantAccessHandler } from './restore-tenant-access';
import { revokeTenantAccessHandler } from './revoke-tenant-access';
import { validateOrgHandler } from './validate-org';

export type TaskHandler = (event: never, context: Context) => Promise<unknown>;

/** The SDK clients the workflows' functions send with (on AWS each function makes its own). */
export interface FunctionClients {
  s3For: S3ForRegion;
  s3control: S3ControlClient;
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  eventBridge: EventBridgeClient;
  /** The tenant ledger's table, for the steps that ask or move the ledger. */
  dynamodb: DynamoDBClient;
  /** Clients that sign with a tenant's own key (ProveTenantCredentials), made per proof. */
  asTenant: (key: TenantKey, region: string) => TenantClients;
  /** Tenant secrets' rotation schedules: Secrets Manager's on AWS, local mode's stand-in where the emulator has none. */
  keyRotation: KeyRotationSchedule;
}

export interface StepWiring extends FunctionBase {
  clients: FunctionClients;
  /** What the ledger step stops a run a teardown or restore superseded with. */
  executions: ExecutionPort;
  /** The live-tenant metric the ledger step publishes (CloudWatch's on AWS; none locally). */
  metrics?: LiveTenantsMetric;
}

/**
 * The Lambda behind each `${…FunctionArn}` placeholder of the ASL files, built from `wiring`:
 * the same map serverless.yml's DefinitionSubstitutions express for AWS (where each entry of
 * functions/lambda/ wires its own), for running the real ASL in-process (workflow tests,
 * local mode, the benchmarks).
 */
export function taskHandlers(wiring: StepWiring): Record<string, TaskHandler> {
  const { config, logger, clients, executions, metrics } = wiring;
  const { s3For, s3control, iam, secretsManager, eventBridge, asTenant, keyRotation } = clients;
  const ledger = new DynamoLedgerStore(clients.dynamodb, config.tenantLedgerTable);
  const base = { config, logger };
  return {
    ValidateOrgFunctionArn: validateOrgHandler(base),
    CreateTenantBucketFunctionArn: createTenantBucketHandler({ ...base, s3For, ledger }),
    ClaimTenantPrefixFunctionArn: claimTenantPrefixHandler({ ...base, s3For, ledger }),
    ConfigureTenantBucketFunctionArn: configureTenantBucketHandler({ ...base, s3For, ledger }),
    CreateTenantUserFunctionArn: createTenantUserHandler({ ...base, iam, ledger }),
    IssueTenantCredentialsFunctionArn: issueTenantCredentialsHandler({ ...base, iam, secretsManager, ledger }),
    ApplyTenantBucketPolicyFunctionArn: applyTenantBucketPolicyHandler({ ...base, s3For, s3control: async () => s3control, ledger }),
    ProveTenantCredentialsFunctionArn: proveTenantCredentialsHandler({ ...base, secretsManager, asTenant, keyRotation }),
    PublishOrgProvisionedFunctionArn: publishOrgProvisionedHandler({ ...base, eventBridge }),
    PublishOrgProvisioningFailedFunctionArn: publishOrgProvisioningFailedHandler({ ...base, eventBridge }),
    DeleteTenantCredentialsFunctionArn: deleteTenantCredentialsHandler({ ...base, iam, secretsManager }),
    DeleteTenantUserFunctionArn: deleteTenantUserHandler({ ...base, iam }),
    DeleteTenantBucketFunctionArn: deleteTenantBucketHandler({ ...base, s3For }),
    PrepareTeardownFunctionArn: prepareTeardownHandler(base),
    RevokeTenantAccessFunctionArn: revokeTenantAccessHandler({ ...base, iam, secretsManager, s3For, ledger, keyRotation }),
    PublishOrgDeprovisionedFunctionArn: publishOrgDeprovisionedHandler({ ...base, eventBridge }),
    RecordTenantStateFunctionArn: recordTenantStateHandler({ ...base, ledger, executions, ...(metrics ? { metrics } : {}) }),
    RestoreTenantAccessFunctionArn: restoreTenantAccessHandler({ ...base, iam, secretsManager, s3For, ledger, keyRotation }),
    PublishOrgRestoredFunctionArn: publishOrgRestoredHandler({ ...base, eventBridge }),
  };
}

/** `${ValidateOrgFunctionArn}` → `ValidateOrgFunctionArn`, or undefined for a literal ARN. */
export function placeholderOf(resource: string): string | undefined {
  return /^\$\{(\w+)\}$/.exec(resource)?.[1];
}
