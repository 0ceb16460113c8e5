import { lambdaBase } from '../lib/handler';
import { validateOrgHandler } from '../validate-org';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = validateOrgHandler({ config, logger });
