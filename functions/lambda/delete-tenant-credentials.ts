import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { deleteTenantCredentialsHandler } from '../delete-tenant-credentials';
import { lambdaBase } from '../lib/handler';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = deleteTenantCredentialsHandler({ iam: new IAMClient({}), secretsManager: new SecretsManagerClient({}), config, logger });
