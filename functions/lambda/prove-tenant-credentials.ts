import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { proveTenantCredentialsHandler } from '../prove-tenant-credentials';
import { lambdaBase } from '../lib/handler';
import { lambdaTenantClients } from '../lib/lambda-tenant-clients';
import { lambdaRotationSchedule } from '../lib/rotation-schedule';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
// The tenant's clients sign with the tenant's key, so they are made per proof, in the bucket's region.
const { config, logger } = lambdaBase();
const secretsManager = new SecretsManagerClient({});
export const handler = proveTenantCredentialsHandler({
  secretsManager,
  keyRotation: lambdaRotationSchedule(secretsManager, config, true),
  asTenant: lambdaTenantClients,
  config,
  logger,
});
