import { deleteTenantBucketHandler } from '../delete-tenant-bucket';
import { lambdaBase } from '../lib/handler';
import { s3ClientsByRegion } from '../lib/s3-clients';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = deleteTenantBucketHandler({ s3For: s3ClientsByRegion(), config, logger });
