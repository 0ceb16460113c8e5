import { IAMClient } from '@aws-sdk/client-iam';
import { deleteTenantUserHandler } from '../delete-tenant-user';
import { lambdaBase } from '../lib/handler';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = deleteTenantUserHandler({ iam: new IAMClient({}), config, logger });
