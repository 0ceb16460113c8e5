/**
 * What the rotation proofs on the emulator share (rotation.test.ts, rotation-fault-matrix.test.ts,
 * rotation-teardown.test.ts, secret-hygiene.test.ts): the tenant's keys and secret versions as an
 * operator sees them, whether a key works (signing as the tenant through local mode's key check,
 * local/tenant-key-check.ts, since the emulator itself takes any key), the secret access keys IAM
 * issued (to look for them where they must never be), and a rotation stand-in of the test's own.
 *
 * The test's own stand-in (local/secrets-rotation.ts, the same class local mode wires) differs from
 * the pipeline's only where a test needs it to: its clock can be moved (the overlap passes without
 * waiting seven days), the clients that sign as the tenant can be instrumented (fault injection),
 * the key proof is given a short Lambda budget (2 s of trying, not 30, so a refused key fails
 * the step quickly), and each step's invocation can be intercepted (interrupted, retried).
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { NoSuchEntityException, paginateListAccessKeys } from '@aws-sdk/client-iam';
import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tenantUserPath } from '../../functions/lib/config';
import type { TenantClients } from '../../functions/lib/key-proof';
import { createLogger } from '../../functions/lib/logger';
import { tenantNames, type TenantNames } from '../../functions/lib/naming';
import { parseTenantSecret, type TenantSecret } from '../../functions/lib/tenant-secret';
import { rotateTenantCredentialsHandler, type TenantRotationEvent, type TenantRotationResult } from '../../functions/rotate-tenant-credentials';
import { runAsFunction } from '../../local/function-scope';
import { localLambdaContext } from '../../local/lambda-context';
import type { LocalPipeline } from '../../local/pipeline';
import { LocalSecretsRotation } from '../../local/secrets-rotation';
import { LOCAL_REGION } from '../../local/stack';
import { iamAccessKeyStatus, localTenantClients } from '../../local/tenant-key-check';

export const DAY_MS = 86_400_000;

/** The local pipeline's own rotation stand-in (what `tenantctl --local` and the demo use). */
export function pipelineRotation(pipeline: LocalPipeline): LocalSecretsRotation {
  const { keyRotation } = pipeline.functionClients;
  if (!(keyRotation instanceof LocalSecretsRotation)) throw new Error('The local pipeline has no rotation stand-in (local/secrets-rotation.ts) as its functions’ keyRotation');
  return keyRotation;
}

export function namesOf(pipeline: LocalPipeline, orgId: string): TenantNames {
  return tenantNames(orgId, LOCAL_REGION, pipeline.config);
}

/** Provisions `orgId` through the real router and ASL; fails the test unless it succeeded. */
export async function provisionTenant(pipeline: LocalPipeline, orgId: string): Promise<TenantNames> {
  const routed = await pipeline.send('OrgCreated', { orgId, orgName: `${orgId} Ltd` });
  const record = await pipeline.executions.waitFor('provision', routed.executionName as string, { timeoutMs: 60_000 });
  if (record.status !== 'SUCCEEDED') throw new Error(`Provisioning ${orgId} ended ${record.status}: ${record.error ?? ''} ${record.cause ?? ''}`);
  return namesOf(pipeline, orgId);
}

/** One staging label's value, read as a consumer reads it (undefined when no version has the label). */
export async function secretAt(pipeline: LocalPipeline, secretName: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS' | 'AWSPENDING'): Promise<TenantSecret | undefined> {
  try {
    const { SecretString } = await pipeline.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretName, VersionStage: stage }));
    return parseTenantSecret(SecretString);
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

export interface HeldKey {
  id: string;
  status: string;
}

/** The user's access keys as IAM lists them (none when the user is gone). */
export async function keysOf(pipeline: LocalPipeline, userName: string): Promise<HeldKey[]> {
  const keys: HeldKey[] = [];
  try {
    for await (const page of paginateListAccessKeys({ client: pipeline.clients.iam }, { UserName: userName })) {
      for (const key of page.AccessKeyMetadata ?? []) keys.push({ id: key.AccessKeyId ?? '', status: key.Status ?? '' });
    }
  } catch (err) {
    if (err instanceof NoSuchEntityException) return [];
    throw err;
  }
  return keys;
}

/**
 * What using `secret`'s key as the tenant gets: `works` when STS names the tenant user and its own
 * bucket (or prefix) lists, else what refused it. The key is checked as AWS checks it (exists,
 * Active) by local mode's key check; moto itself would take any key.
 */
export async function useKey(pipeline: LocalPipeline, secret: TenantSecret, userName: string): Promise<'works' | string> {
  const tenant = localTenantClients(pipeline.emulator.endpoint, LOCAL_REGION, iamAccessKeyStatus(pipeline.clients.iam))(
    { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey },
    secret.region,
  );
  try {
    const { Arn } = await tenant.sts.send(new GetCallerIdentityCommand({}));
    const expected = `arn:aws:iam::${pipeline.config.accountId}:user${tenantUserPath(pipeline.config.stage)}${userName}`;
    if (Arn !== expected) return `STS names ${Arn ?? 'nobody'}, not ${expected}`;
    await tenant.s3.send(new ListObjectsV2Command({ Bucket: secret.bucket, MaxKeys: 1, ...(secret.prefix ? { Prefix: secret.prefix } : {}) }));
    return 'works';
  } catch (err) {
    return err instanceof Error ? err.name : String(err);
  } finally {
    tenant.destroy();
  }
}

/**
 * Records every secret access key CreateAccessKey returns to the functions (a middleware on their
 * own IAM client, inside any fault layer, so a key made by a call that then "timed out" counts).
 */
export function recordIssuedSecrets(pipeline: LocalPipeline): string[] {
  const secrets: string[] = [];
  pipeline.functionClients.iam.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'CreateAccessKeyCommand') {
        const secret = (result.output as { AccessKey?: { SecretAccessKey?: string } } | undefined)?.AccessKey?.SecretAccessKey;
        if (secret) secrets.push(secret);
      }
      return result;
    },
    { step: 'initialize', name: 'recordIssuedSecretKeys', override: true },
  );
  return secrets;
}

export interface PutEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

/**
 * Every event the functions put from now (a middleware on their own EventBridge client, after the
 * call succeeded). Read from here, not from the local events queue, which the integration files
 * share: draining it would take events another file waits for.
 */
export function recordPutEvents(pipeline: LocalPipeline): PutEvent[] {
  const events: PutEvent[] = [];
  pipeline.functionClients.eventBridge.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'PutEventsCommand') {
        const entries = (args.input as { Entries?: { DetailType?: string; Detail?: string }[] }).Entries ?? [];
        for (const entry of entries) events.push({ detailType: entry.DetailType ?? '', detail: JSON.parse(entry.Detail ?? '{}') as Record<string, unknown> });
      }
      return result;
    },
    { step: 'initialize', name: 'recordPutEvents', override: true },
  );
  return events;
}

/** Everything written to stdout and stderr from now (still written through), for leak checks. */
export function captureOutput(options: { echo: boolean }): { text(): string; restore(): void } {
  const captured: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const through = (write: typeof stdout) =>
    ((chunk: string | Uint8Array, ...rest: never[]) => {
      captured.push(String(chunk));
      return options.echo ? write(chunk, ...rest) : true;
    }) as typeof process.stdout.write;
  process.stdout.write = through(stdout);
  process.stderr.write = through(stderr);
  return {
    text: () => captured.join(''),
    restore: () => {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    },
  };
}

/** An error with its causes, as text a log line or an operator would see. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message} ${JSON.stringify(e)}` : JSON.stringify(e));
  }
  return parts.join(' <- ');
}

/** Invokes one step of the real rotation function (what the stand-in invokes by default). */
export type InvokeStep = (event: TenantRotationEvent) => Promise<TenantRotationResult>;

export interface TestRotation {
  rotation: LocalSecretsRotation;
  /** The stand-in's and the handler's clock. */
  clock: { now: Date; advanceDays(days: number): Date };
  /** One step of the real handler, as the stand-in invokes it. */
  step: InvokeStep;
  /** When set, the stand-in invokes this instead of `step` (to interrupt or retry a step). */
  intercept: ((event: TenantRotationEvent, step: InvokeStep) => Promise<TenantRotationResult>) | undefined;
  /** Every step result and error (as text) the handler gave, for leak checks. */
  readonly returned: string[];
}

export interface TestRotationOptions {
  /** Given the clients each key proof signs with as the tenant (e.g. to install faults on them). */
  onTenantClients?: (clients: TenantClients) => void;
  /** The Lambda time left when a step starts (default 7 s: the proof tries a refused key for 2 s). */
  remainingMs?: number;
}

/**
 * The emulator dates a secret version by the real clock, the handler reads the test's: a version
 * written while the test's clock is days ahead would look days old, and the overlap the rotation
 * counts from the current version's creation (lib/rotation/rotating-secret.ts, overlapEnd) would
 * seem long over. So the versions written through `client` are dated, in what GetSecretValue
 * answers, by the test's clock at the moment they were written, as AWS would date them had time
 * really passed.
 */
function keepVersionDatesOnTheClock(client: SecretsManagerClient, clock: { now: Date }): void {
  const writtenAt = new Map<string, Date>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const output = result.output as { VersionId?: string; CreatedDate?: Date };
      if (context.commandName === 'PutSecretValueCommand' && output.VersionId && !writtenAt.has(output.VersionId)) writtenAt.set(output.VersionId, clock.now);
      const at = context.commandName === 'GetSecretValueCommand' && output.VersionId ? writtenAt.get(output.VersionId) : undefined;
      if (at) result.output = { ...output, CreatedDate: at } as typeof result.output;
      return result;
    },
    { step: 'initialize', name: 'versionDatesOnTheTestClock', override: true },
  );
}

/**
 * A rotation stand-in over the pipeline's function clients with a clock of the test's own. Its
 * steps run the real handler as the rotation function (`runAsFunction`, so the integration
 * project's check of each role's calls sees them), as the stand-in's own invocation does.
 */
export function testRotation(pipeline: LocalPipeline, options: TestRotationOptions = {}): TestRotation {
  const fc = pipeline.functionClients;
  const clock = {
    now: new Date(),
    advanceDays(days: number) {
      clock.now = new Date(clock.now.getTime() + days * DAY_MS);
      return clock.now;
    },
  };
  keepVersionDatesOnTheClock(fc.secretsManager, clock);
  const asTenant = (key: Parameters<typeof fc.asTenant>[0], region: string) => {
    const clients = fc.asTenant(key, region);
    options.onTenantClients?.(clients);
    return clients;
  };
  const clients = { iam: fc.iam, secretsManager: fc.secretsManager, eventBridge: fc.eventBridge, asTenant };
  const returned: string[] = [];
  const { config } = pipeline;
  const functionName = `tenant-provisioner-${config.stage}-rotateTenantCredentials`;
  const step: InvokeStep = async (event) => {
    const handler = rotateTenantCredentialsHandler({ ...clients, config, logger: createLogger(), now: () => clock.now });
    const remaining = options.remainingMs ?? 7_000;
    const deadline = Date.now() + remaining;
    const context = localLambdaContext(functionName, { region: config.region, accountId: config.accountId, remainingMs: () => Math.max(0, deadline - Date.now()) });
    try {
      const result = await runAsFunction('rotateTenantCredentials', () => handler(event, context));
      returned.push(JSON.stringify(result));
      return result;
    } catch (err) {
      returned.push(errorText(err));
      throw err;
    }
  };
  const harness: TestRotation = {
    clock,
    step,
    intercept: undefined,
    returned,
    rotation: new LocalSecretsRotation({
      secretsManager: pipeline.clients.secretsManager,
      functionClients: clients,
      config,
      stage: config.stage,
      now: () => clock.now,
      invoke: (event) => (harness.intercept ? harness.intercept(event, step) : step(event)),
    }),
  };
  return harness;
}
