import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lambdaBase } from '../lib/handler';
import { retirePreviousTenantKeysHandler } from '../retire-previous-tenant-keys';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = retirePreviousTenantKeysHandler({ iam: new IAMClient({}), secretsManager: new SecretsManagerClient({}), config, logger });
