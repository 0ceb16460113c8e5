// The environment every function's cold start reads (see functions/lib/config.ts).
process.env.AWS_REGION = 'us-east-1';
process.env.ACCOUNT_ID = '123456789012';
process.env.STAGE = 'test';
process.env.TENANT_BOUNDARY_ARN = 'arn:aws:iam::123456789012:policy/tenant-provisioner-test-tenant-boundary';
process.env.EVENT_BUS_NAME = 'default';
process.env.EVENT_SOURCE = 'tenant-provisioner';
process.env.ALLOWED_REGIONS = 'us-east-1,eu-west-1';
process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTESTTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret-not-real';
process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR';
delete process.env.AWS_ENDPOINT_URL;
delete process.env.AWS_PROFILE;
process.env.PROVISION_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-test-provision-tenant';
process.env.DEFAULT_RETENTION_DAYS = '7';
process.env.TEARDOWN_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-test-teardown-tenant';
