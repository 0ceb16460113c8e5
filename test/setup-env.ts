// The environment every function's cold start reads (see functions/lib/config.ts), set in
// full before each unit/workflow test file: jest reuses worker processes across projects, so
// nothing may be inherited from an integration test file that ran before in the same worker.
Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  ACCOUNT_ID: '123456789012',
  STAGE: 'test',
  BUCKET_PREFIX: 'fusion-rms',
  USER_PREFIX: 'rms_',
  TENANT_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/tenant-provisioner-test-tenant-boundary',
  EVENT_BUS_NAME: 'default',
  EVENT_SOURCE: 'tenant-provisioner',
  ALLOWED_REGIONS: 'us-east-1,eu-west-1',
  BUCKET_POLICY_TLS_ONLY: 'true',
  VERIFY_ADOPTED_USER_BOUNDARY: 'true',
  MAX_BUCKET_CANDIDATES: '4',
  DEFAULT_RETENTION_DAYS: '7',
  TENANT_LEDGER_TABLE: 'tenant-provisioner-test-tenants',
  TENANT_QUOTA: '5000',
  ROTATION_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioner-test-rotateTenantCredentials',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret-not-real',
  PROVISION_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-test-provision-tenant',
  TEARDOWN_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-test-teardown-tenant',
  RESTORE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-test-restore-tenant',
});
process.env.POWERTOOLS_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'ERROR';
delete process.env.AWS_ENDPOINT_URL;
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
