import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lambdaBase } from '../lib/handler';
import { lambdaTenantClients } from '../lib/lambda-tenant-clients';
import { rotateTenantCredentialsHandler } from '../rotate-tenant-credentials';

// The Lambda entry serverless.yml names; Secrets Manager invokes it, once per rotation step. The
// clients that sign with the tenant's new key are made per test, in the bucket's region.
const { config, logger } = lambdaBase();
export const handler = rotateTenantCredentialsHandler({
  iam: new IAMClient({}),
  secretsManager: new SecretsManagerClient({}),
  eventBridge: new EventBridgeClient({}),
  asTenant: lambdaTenantClients,
  config,
  logger,
});
