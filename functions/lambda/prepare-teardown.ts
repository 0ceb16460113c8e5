import { lambdaBase } from '../lib/handler';
import { prepareTeardownHandler } from '../prepare-teardown';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = prepareTeardownHandler({ config, logger });
