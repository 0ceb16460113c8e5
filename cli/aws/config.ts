import { ConfigError, loadConfig, type Config } from '../../functions/lib/config';
import { ledgerTableName } from '../../functions/lib/ledger/dynamo-store';
import { CliError, EXIT_USAGE } from '../errors';

/**
 * The stage parameters an operator may have changed at deploy time (serverless.yml `params`),
 * each overridable as TENANT_PROVISIONER_<VARIABLE>; the defaults are serverless.yml's.
 */
const OVERRIDABLE = [
  'BUCKET_PREFIX',
  'USER_PREFIX',
  'ALLOWED_REGIONS',
  'MAX_BUCKET_CANDIDATES',
  'DEFAULT_RETENTION_DAYS',
  'TENANT_QUOTA',
  'TENANCY',
  'SHARED_BUCKET',
  'PREFIX_TEMPLATE',
  'OBJECT_ACLS',
  'BUCKET_NAMESPACE',
  'ROTATION_DAYS',
  'PREVIOUS_KEY_OVERLAP_DAYS',
] as const;

/**
 * The configuration the stage's router runs with, as tenantctl needs it to decide as the router
 * does (functions/lib/ledger/lifecycle.ts) and to apply operators' requests: serverless.yml's
 * defaults for the stage, account and region, with TENANT_PROVISIONER_* overrides
 * (TENANT_PROVISIONER_LEDGER_TABLE for the table, TENANT_PROVISIONER_EVENT_BUS for the bus).
 * @throws CliError (exit 2) naming the TENANT_PROVISIONER_* variable that is malformed.
 */
export function stageConfig(stage: string, region: string, accountId: string, env: NodeJS.ProcessEnv): Config {
  const override = (name: string) => env[`TENANT_PROVISIONER_${name}`]?.trim() || undefined;
  const lambdaEnv: Record<string, string | undefined> = {
    AWS_REGION: region,
    ACCOUNT_ID: accountId,
    STAGE: stage,
    TENANT_BOUNDARY_ARN: `arn:aws:iam::${accountId}:policy/tenant-provisioner-${stage}-tenant-boundary`,
    EVENT_BUS_NAME: override('EVENT_BUS') ?? 'default',
    EVENT_SOURCE: 'tenant-provisioner',
    TENANT_LEDGER_TABLE: override('LEDGER_TABLE') ?? ledgerTableName(stage),
  };
  for (const name of OVERRIDABLE) lambdaEnv[name] = override(name);
  // The stack names the prefix tenants' policy after the stage, as the boundary (serverless.yml).
  if (lambdaEnv.SHARED_BUCKET) lambdaEnv.TENANT_PREFIX_POLICY_ARN = `arn:aws:iam::${accountId}:policy/tenant-provisioner-${stage}-tenant-prefix`;
  try {
    return loadConfig(lambdaEnv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const message = err.message
      .replace(/Environment variable (\w+)=/, (_, name: string) => `TENANT_PROVISIONER_${name === 'TENANT_LEDGER_TABLE' ? 'LEDGER_TABLE' : name}=`)
      .replace(/Missing required environment variable (\w+)/, (_, name: string) => `Missing TENANT_PROVISIONER_${name}`);
    throw new CliError(message, EXIT_USAGE, { cause: err });
  }
}

/**
 * The stage's rotation function, as serverless.yml names it (`<service>-<stage>-rotateTenantCredentials`),
 * unless TENANT_PROVISIONER_ROTATION_FUNCTION_ARN names another.
 * @throws CliError (exit 2) when the override is not a Lambda function ARN.
 */
export function rotationFunctionArn(stage: string, region: string, accountId: string, env: NodeJS.ProcessEnv): string {
  const override = env.TENANT_PROVISIONER_ROTATION_FUNCTION_ARN?.trim();
  if (!override) return `arn:aws:lambda:${region}:${accountId}:function:tenant-provisioner-${stage}-rotateTenantCredentials`;
  if (!/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$/.test(override)) {
    throw new CliError(`TENANT_PROVISIONER_ROTATION_FUNCTION_ARN=${JSON.stringify(override)} is not a Lambda function ARN`, EXIT_USAGE);
  }
  return override;
}
