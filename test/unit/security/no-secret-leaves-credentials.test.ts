import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import 'aws-sdk-client-mock-jest';
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  LimitExceededException,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { issueTenantCredentialsHandler, type IssueTenantCredentialsInput } from '../../../functions/issue-tenant-credentials';
import { lambdaBase } from '../../../functions/lib/handler';
import { DynamoLedgerStore } from '../../../functions/lib/ledger/dynamo-store';
import { TenantQuotaExceededError, TenantSecretConflictError } from '../../../functions/lib/errors';
import { answerLedgerGet, ledgerOnRun, SAMPLE_RUN_ID, sampleBucket, sampleTenant, sampleUser } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';

/**
 * The secret access key of a tenant goes to its secret and nowhere else: not to a log line
 * (at DEBUG level), not to the task result Step Functions keeps in its history, not to an
 * error message, whether the run succeeds or fails.
 *
 * The function is loaded only after POWERTOOLS_LOG_LEVEL=DEBUG is set: the Powertools logger
 * reads it at construction and returns to it on every warm invocation, so a `setLogLevel`
 * call would only hold for the first run.
 */

const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

const iamMock = mockClient(IAMClient);
const secretsMock = mockClient(SecretsManagerClient);
// The handler's run guard reads the tenant's ledger item first: the run is the tenant's current one.
answerLedgerGet(mockClient(DynamoDBClient), ledgerOnRun(SAMPLE_RUN_ID).item);

const input: IssueTenantCredentialsInput = { tenant: sampleTenant(), bucket: sampleBucket(), user: sampleUser() };
const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fusion-rms/acme-bistro-42/credentials-AbCdEf';

const context = fakeLambdaContext('tenant-provisioner-test-issueTenantCredentials');

let handler: ReturnType<typeof issueTenantCredentialsHandler>;
let captured: string[];
const previousLevel = process.env.POWERTOOLS_LOG_LEVEL;

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  const { config, logger } = lambdaBase();
  expect(logger.getLevelName()).toBe('DEBUG');
  // Wired as its Lambda entry wires it (functions/lambda/issue-tenant-credentials.ts), with a DEBUG logger.
  handler = issueTenantCredentialsHandler({
    iam: new IAMClient({}),
    secretsManager: new SecretsManagerClient({}),
    ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable),
    config,
    logger,
  });
});
afterAll(() => {
  if (previousLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = previousLevel;
});

function captureOutput(): void {
  captured = [];
  const record = (chunk: unknown) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(record);
  jest.spyOn(process.stderr, 'write').mockImplementation(record);
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    });
  }
}

/** Everything an error would show in a Lambda error log or a Step Functions `Cause`, cause included. */
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    parts.push(e.name, e.message, e.stack ?? '', JSON.stringify(e, Object.getOwnPropertyNames(e)));
  }
  return parts.join('\n');
}

/** Only the write of the secret itself may carry the secret access key. */
function expectSecretOnlyInTheSecretWrite(): void {
  expect(secretsMock.commandCalls(CreateSecretCommand)[0]?.args[0].input.SecretString).toContain(SECRET_ACCESS_KEY);
  const elsewhere = [...iamMock.calls(), ...secretsMock.calls()]
    .filter((call) => !(call.args[0] instanceof CreateSecretCommand))
    .map((call) => JSON.stringify(call.args[0].input));
  for (const callInput of elsewhere) expect(callInput).not.toContain(SECRET_ACCESS_KEY);
}

function expectLogsWithoutSecret(): void {
  const logs = captured.join('');
  expect(logs).toContain(ACCESS_KEY_ID);
  expect(logs).not.toContain(SECRET_ACCESS_KEY);
  expect(logs).not.toContain('wJalrXUtnFEMI');
}

beforeEach(() => {
  iamMock.reset();
  secretsMock.reset();
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [], IsTruncated: false });
  iamMock.on(CreateAccessKeyCommand).resolves({
    AccessKey: { UserName: input.user.userName, AccessKeyId: ACCESS_KEY_ID, SecretAccessKey: SECRET_ACCESS_KEY, Status: 'Active', CreateDate: new Date() },
  });
  iamMock.on(DeleteAccessKeyCommand).resolves({});
  secretsMock.on(CreateSecretCommand).resolves({ ARN: secretArn, Name: input.tenant.secretName });
  captureOutput();
});

afterEach(() => jest.restoreAllMocks());

describe('issueTenantCredentials never lets the secret access key out', () => {
  it('stores it in the secret, and neither returns nor logs it, at DEBUG level', async () => {
    const result = await handler(input, context);

    expect(JSON.stringify(result)).not.toContain(SECRET_ACCESS_KEY);
    expect(result).toEqual({ secretArn, secretName: input.tenant.secretName, accessKeyId: ACCESS_KEY_ID, issued: true });
    expectSecretOnlyInTheSecretWrite();
    expectLogsWithoutSecret();
  });

  it('keeps it out of logs and the error when the secret write fails with a network error', async () => {
    secretsMock.on(CreateSecretCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' }));

    const err = await handler(input, context).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Error);
    expect(errorText(err)).toContain('socket hang up');
    expect(errorText(err)).not.toContain(SECRET_ACCESS_KEY);
    expectSecretOnlyInTheSecretWrite();
    expectLogsWithoutSecret();
  });

  it('keeps it out of logs and the error when a Secrets Manager quota stops the write', async () => {
    secretsMock.on(CreateSecretCommand).rejects(new LimitExceededException({ $metadata: {}, message: 'You have exceeded the number of secrets.' }));

    const err = await handler(input, context).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(TenantQuotaExceededError);
    expect(errorText(err)).not.toContain(SECRET_ACCESS_KEY);
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { AccessKeyId: ACCESS_KEY_ID });
    expectSecretOnlyInTheSecretWrite();
    expectLogsWithoutSecret();
  });

  it("keeps it out of logs and the error when the secret turns out to be another org's", async () => {
    secretsMock.on(CreateSecretCommand).rejects(new ResourceExistsException({ $metadata: {}, message: 'The secret already exists.' }));
    secretsMock.on(DescribeSecretCommand).resolves({ ARN: secretArn, Name: input.tenant.secretName, Tags: [{ Key: 'OrgId', Value: 'someone-else' }] });

    const err = await handler(input, context).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(TenantSecretConflictError);
    expect(errorText(err)).not.toContain(SECRET_ACCESS_KEY);
    expectSecretOnlyInTheSecretWrite();
    expectLogsWithoutSecret();
  });
});
