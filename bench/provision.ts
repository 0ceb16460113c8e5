/**
 * `provision`: one tenant through the router and the real provision-tenant workflow (happy
 * path), against the same minimal AWS calls issued back to back by a plain script on the
 * same emulator, interleaved run by run.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NotFound,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionEvent } from '../functions/lib/executions';
import { tenantSecretString } from '../functions/lib/tenant-secret';
import type { Config } from '../functions/lib/config';
import { tenantNames } from '../functions/lib/naming';
import { tenantBucketPolicy } from '../functions/lib/policies';
import { tenantTags } from '../functions/lib/tags';
import { LOCAL_REGION, localClients, type LocalClients } from '../local/stack';
import { total } from './lib/api-counter';
import { DynamoLedgerStore } from '../functions/lib/ledger/dynamo-store';
import { unrecordedItem, type TenantLedgerItem } from '../functions/lib/ledger/model';
import type { BenchPipeline } from './lib/bench-pipeline';
import { median, now, round, say, significant } from './lib/stats';

/** Published us-east-1 prices (USD), as written beside the figure. */
export const PRICES = {
  source: 'AWS pricing pages for Step Functions and Lambda, us-east-1',
  stepFunctionsStandardPerStateTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaPerGbSecondArm64: 0.0000133334,
  lambdaPerGbSecondX86: 0.0000166667,
};

/**
 * Calls the bench counts that AWS would never see: the local stage sends them only because the
 * emulator lacks what AWS does by itself. `awsRequests` leaves them out (bench/README.md).
 */
export const EMULATOR_ONLY_OPERATIONS: Record<string, string> = {
  'S3.GetBucketTagging':
    "CreateTenantBucket checks that CreateBucket's Tags were applied only where the stage says the endpoint may drop them (VERIFY_CREATE_BUCKET_TAGS, true in the local stage for moto, false on AWS, which applies them)",
  'S3.PutBucketTagging': "then puts the tags moto dropped; on AWS CreateBucket's Tags are applied and neither call is made",
};

/** `calls` without the emulator-only operations: the requests AWS would see. */
export function awsRequestsOf(calls: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(calls).filter(([operation]) => !(operation in EMULATOR_ONLY_OPERATIONS)));
}

export interface FunctionSettings {
  /** serverless.yml's function key (`createTenantBucket`) → memory size in MB and architecture. */
  memoryMb: Record<string, number>;
  architecture: string;
  /** Where the figures come from (the packaged template, or serverless.yml's defaults). */
  source: string;
}

export interface ProvisionResult {
  orgIdPattern: string;
  apiCalls: number;
  apiCallsByOperation: Record<string, number>;
  /** apiCalls without the emulator-only operations ({@link EMULATOR_ONLY_OPERATIONS}): what AWS would see. */
  awsRequests: number;
  awsRequestsByOperation: Record<string, number>;
  /** The emulator-only operations counted in apiCalls, with why AWS would not see them. */
  emulatorOnly: Record<string, { calls: number; why: string }>;
  /** Set when the timeToUsable section ran: its median (bench/time-to-usable.ts). */
  timeToUsableMs?: number;
  /** The recorded figure of the code before issue 17 items 3–5 (bench/results/time-to-usable-before.json). */
  timeToUsableMsBefore?: number;
  /** HTTP requests sent (retries included); equals apiCalls when nothing was retried. */
  httpRequests: number;
  callOrder: string[];
  stateTransitions: number;
  stateTransitionsNote: string;
  statesEntered: string[];
  retries: number;
  pipelineMedianMs: number;
  pipelineRunsMs: number[];
  /** The first run (not in the median): module loading, ASL validation, SDK clients' first requests. */
  pipelineFirstRunMs: number;
  directCallsMedianMs: number;
  directRunsMs: number[];
  directCallsByOperation: Record<string, number>;
  overheadRatio: number;
  routerMedianMs: number;
  stateMedianMs: Record<string, number>;
  costPerTenantUsd: number;
  cost: {
    prices: typeof PRICES & { note: string };
    architecture: string;
    memorySource: string;
    stateTransitions: number;
    lambdaRequests: number;
    lambdaGbSeconds: number;
    transitionsUsd: number;
    requestsUsd: number;
    durationUsd: number;
    byFunction: { function: string; memoryMb: number; billedMs: number }[];
    excluded: string;
  };
}

interface PipelineRun {
  ms: number;
  routerMs: number;
  calls: Record<string, number>;
  attempts: Record<string, number>;
  order: string[];
  history: ExecutionEvent[];
}

/** `${CreateTenantBucketFunctionArn}` of each Task state → `createTenantBucket`. */
function functionOfState(projectRoot: string): Record<string, string> {
  const asl = JSON.parse(readFileSync(join(projectRoot, 'statemachine/provision-tenant.asl.json'), 'utf8')) as {
    States: Record<string, { Type: string; Resource?: string }>;
  };
  const map: Record<string, string> = {};
  for (const [state, definition] of Object.entries(asl.States)) {
    const placeholder = /^\$\{(\w+)FunctionArn\}$/.exec(definition.Resource ?? '')?.[1];
    if (definition.Type === 'Task' && placeholder) map[state] = `${placeholder.charAt(0).toLowerCase()}${placeholder.slice(1)}`;
  }
  return map;
}

async function provisionOnce(bench: BenchPipeline, orgId: string): Promise<PipelineRun> {
  const { pipeline, counter, events } = bench;
  counter.reset({ sequence: true });
  const start = now();
  const routed = await pipeline.send('OrgCreated', { orgId, orgName: `Bench ${orgId}` });
  const routerMs = now() - start;
  if (routed.action !== 'started' || !routed.executionName) throw new Error(`The router did not start ${orgId}: ${JSON.stringify(routed)}`);
  const record = await pipeline.executions.waitFor('provision', routed.executionName);
  const ms = now() - start;
  if (record.status !== 'SUCCEEDED') throw new Error(`provision ${routed.executionName} ended ${record.status}: ${record.error ?? ''} ${record.cause ?? ''}`);
  const { calls, attempts } = counter.snapshot();
  return { ms, routerMs, calls, attempts, order: counter.order(), history: events.get(`provision/${routed.executionName}`) ?? [] };
}

/** The plain script: each operation the pipeline made, in its order, with the same inputs, on its own clients. */
class DirectCalls {
  constructor(
    private readonly config: Config,
    private readonly clients: LocalClients,
    private readonly endpoint: string,
  ) {}

  async run(orgId: string, order: string[]): Promise<{ ms: number; byOperation: Record<string, number> }> {
    const names = tenantNames(orgId, LOCAL_REGION, this.config);
    const bucket = names.bucketCandidates[0] as string;
    // The run id a ledger-started provisioning would tag its resources with.
    const runId = `${names.slug}-g1-provision.direct`;
    const tags = tenantTags(orgId, runId);
    const target = { Bucket: bucket, ExpectedBucketOwner: this.config.accountId };
    let userArn = '';
    let accessKey = { id: '', secret: '' };
    const byOperation: Record<string, number> = {};
    // The key proof's requests, signed with the tenant's new key (as ProveTenantCredentials makes them).
    const asTenant = () => {
      const common = { endpoint: this.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: accessKey.id, secretAccessKey: accessKey.secret } };
      return { sts: new STSClient(common), s3: new S3Client({ ...common, forcePathStyle: true }) };
    };
    let tenant: ReturnType<typeof asTenant> | undefined;

    // The ledger's calls, as the router and the ledger steps make them: a read, the first write
    // (with the live-tenant counter, one transaction), the write that records the tenant active.
    const ledger = new DynamoLedgerStore(this.clients.dynamodb, this.config.tenantLedgerTable);
    const unrecorded = unrecordedItem(orgId, LOCAL_REGION, this.config, new Date().toISOString());
    let version = 0;
    const item = (): TenantLedgerItem => ({ ...unrecorded, generation: 1, state: version === 0 ? 'provisioning' : 'active', version: version + 1 });
    const steps: Record<string, () => Promise<unknown>> = {
      'DynamoDB.GetItem': () => ledger.get(names.slug),
      'DynamoDB.TransactWriteItems': async () => {
        if ((await ledger.write(item(), undefined, 1, undefined)) !== 'written') throw new Error(`The direct ledger write of ${names.slug} was refused`);
        version++;
      },
      'DynamoDB.PutItem': async () => {
        if ((await ledger.write(item(), version, 0, undefined)) !== 'written') throw new Error(`The direct ledger write of ${names.slug} was refused`);
        version++;
      },
      'S3.HeadBucket': async () => {
        try {
          await this.clients.s3.send(new HeadBucketCommand(target));
        } catch (err) {
          if (!(err instanceof NotFound)) throw err;
        }
      },
      'S3.CreateBucket': () =>
        this.clients.s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: 'BucketOwnerEnforced', CreateBucketConfiguration: { Tags: tags } })),
      'S3.GetBucketTagging': async () => {
        try {
          await this.clients.s3.send(new GetBucketTaggingCommand(target));
        } catch (err) {
          // The emulator drops CreateBucket's tags: the step reads "no tags" and puts them.
          if (!(err instanceof Error) || err.name !== 'NoSuchTagSet') throw err;
        }
      },
      'S3.PutBucketTagging': () => this.clients.s3.send(new PutBucketTaggingCommand({ ...target, Tagging: { TagSet: tags } })),
      'S3.PutBucketEncryption': () =>
        this.clients.s3.send(
          new PutBucketEncryptionCommand({
            ...target,
            ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] },
          }),
        ),
      'S3.PutPublicAccessBlock': () =>
        this.clients.s3.send(
          new PutPublicAccessBlockCommand({
            ...target,
            PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
          }),
        ),
      'S3.PutObject': () => this.clients.s3.send(new PutObjectCommand({ ...target, Key: 'pub/', Body: '', ContentLength: 0 })),
      'IAM.CreateUser': async () => {
        const { User } = await this.clients.iam.send(
          new CreateUserCommand({ UserName: names.userName, Path: names.userPath, PermissionsBoundary: this.config.tenantBoundaryArn, Tags: [...tags, { Key: 'TenantBucket', Value: bucket }] }),
        );
        userArn = User?.Arn ?? '';
      },
      'IAM.ListAccessKeys': () => this.clients.iam.send(new ListAccessKeysCommand({ UserName: names.userName })),
      'IAM.CreateAccessKey': async () => {
        const { AccessKey } = await this.clients.iam.send(new CreateAccessKeyCommand({ UserName: names.userName }));
        accessKey = { id: AccessKey?.AccessKeyId ?? '', secret: AccessKey?.SecretAccessKey ?? '' };
      },
      'SecretsManager.CreateSecret': () =>
        this.clients.secretsManager.send(
          new CreateSecretCommand({
            Name: names.secretName,
            Description: `Access key of IAM user ${names.userName} for tenant bucket ${bucket} (OrgId ${orgId})`,
            SecretString: tenantSecretString({ accessKeyId: accessKey.id, secretAccessKey: accessKey.secret, bucket, region: LOCAL_REGION, userName: names.userName }),
            Tags: tags,
          }),
        ),
      'SecretsManager.GetSecretValue': () => this.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: names.secretName })),
      'STS.GetCallerIdentity': () => (tenant ??= asTenant()).sts.send(new GetCallerIdentityCommand({})),
      'S3.ListObjectsV2': () => (tenant ??= asTenant()).s3.send(new ListObjectsV2Command({ ...target, MaxKeys: 1 })),
      'S3.PutBucketPolicy': () =>
        this.clients.s3.send(new PutBucketPolicyCommand({ ...target, Policy: JSON.stringify(tenantBucketPolicy({ bucket, userArn: userArn || `arn:aws:iam::${this.config.accountId}:user${names.userPath}${names.userName}`, tlsOnly: false })) })),
      'EventBridge.PutEvents': () =>
        this.clients.eventBridge.send(
          new PutEventsCommand({
            Entries: [
              {
                Source: this.config.eventSource,
                DetailType: 'OrgProvisioned',
                EventBusName: this.config.eventBusName,
                Detail: JSON.stringify({ orgId, executionName: `${names.slug}-g1-provision`, bucket: { name: bucket, region: LOCAL_REGION }, user: { name: names.userName, arn: userArn } }),
              },
            ],
          }),
        ),
    };

    const start = now();
    for (const operation of order) {
      const step = steps[operation];
      if (!step) throw new Error(`The direct-calls script has no step for ${operation}: add it to bench/provision.ts`);
      await step();
      byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    }
    const ms = now() - start;
    tenant?.sts.destroy();
    tenant?.s3.destroy();
    return { ms, byOperation };
  }
}

export async function benchProvision(
  bench: BenchPipeline,
  options: { runs: number; runId: string; projectRoot: string; functions: FunctionSettings },
): Promise<ProvisionResult> {
  // The plain script's own clients, and the configuration the pipeline's functions have.
  const direct = new DirectCalls(bench.pipeline.config, localClients(bench.pipeline.emulator.endpoint), bench.pipeline.emulator.endpoint);
  const orgId = (kind: string, i: number) => `bench-${options.runId}-${kind}-${i}`;

  // The first run loads every function module, validates the ASL and opens the SDK clients'
  // connections: a cold start of the whole pipeline, reported apart and not in the median.
  const first = await provisionOnce(bench, orgId('p', 0));
  const awsOrder = first.order.filter((operation) => !operation.startsWith('SFN.'));
  await direct.run(orgId('d', 0), awsOrder);

  const pipelineRuns: PipelineRun[] = [];
  const directRuns: { ms: number; byOperation: Record<string, number> }[] = [];
  for (let i = 1; i <= options.runs; i++) {
    // Alternate which goes first, so neither always runs right after the other's load.
    if (i % 2 === 1) {
      pipelineRuns.push(await provisionOnce(bench, orgId('p', i)));
      directRuns.push(await direct.run(orgId('d', i), awsOrder));
    } else {
      directRuns.push(await direct.run(orgId('d', i), awsOrder));
      pipelineRuns.push(await provisionOnce(bench, orgId('p', i)));
    }
  }
  await bench.pipeline.executions.idle();

  const last = pipelineRuns[pipelineRuns.length - 1] as PipelineRun;
  for (const run of pipelineRuns) {
    if (JSON.stringify(run.calls) !== JSON.stringify(last.calls)) say(`provision: the calls differed between runs: ${JSON.stringify(run.calls)} vs ${JSON.stringify(last.calls)}`);
  }
  const entered = last.history.filter((e) => e.type === 'StateEntered');
  const retries = last.history.filter((e) => e.type === 'StateRetried').length;

  // Per-state durations (median over the runs), as Lambda would bill each Task's invocation.
  const stateFunction = functionOfState(options.projectRoot);
  const durations = new Map<string, number[]>();
  for (const run of pipelineRuns) {
    for (const event of run.history) {
      if (event.type !== 'StateExited' || event.state === undefined) continue;
      const list = durations.get(event.state) ?? [];
      list.push(event.durationMs ?? 0);
      durations.set(event.state, list);
    }
  }
  const stateMedianMs = Object.fromEntries([...durations.entries()].map(([state, list]) => [state, round(median(list), 1)]));
  const routerMedianMs = median(pipelineRuns.map((r) => r.routerMs));

  const memoryOf = (fn: string) => options.functions.memoryMb[fn] ?? options.functions.memoryMb.default ?? 256;
  const byFunction = [
    { function: 'routeOrgEvent', memoryMb: memoryOf('routeOrgEvent'), billedMs: Math.ceil(routerMedianMs) },
    ...entered
      .filter((e) => e.stateType === 'Task' && e.state !== undefined && stateFunction[e.state])
      .map((e) => {
        const fn = stateFunction[e.state as string] as string;
        return { function: fn, memoryMb: memoryOf(fn), billedMs: Math.ceil(stateMedianMs[e.state as string] ?? 0) };
      }),
  ];
  const perGbSecond = options.functions.architecture === 'arm64' ? PRICES.lambdaPerGbSecondArm64 : PRICES.lambdaPerGbSecondX86;
  const lambdaRequests = byFunction.length + retries;
  const gbSeconds = byFunction.reduce((sum, f) => sum + (f.billedMs / 1000) * (f.memoryMb / 1024), 0);
  const transitionsUsd = entered.length * PRICES.stepFunctionsStandardPerStateTransition;
  const requestsUsd = lambdaRequests * PRICES.lambdaPerRequest;
  const durationUsd = gbSeconds * perGbSecond;

  const pipelineMedianMs = median(pipelineRuns.map((r) => r.ms));
  const directCallsMedianMs = median(directRuns.map((r) => r.ms));
  return {
    orgIdPattern: `bench-${options.runId}-p-<run>`,
    apiCalls: total(last.calls),
    apiCallsByOperation: last.calls,
    awsRequests: total(awsRequestsOf(last.calls)),
    awsRequestsByOperation: awsRequestsOf(last.calls),
    emulatorOnly: Object.fromEntries(
      Object.entries(last.calls)
        .filter(([operation]) => operation in EMULATOR_ONLY_OPERATIONS)
        .map(([operation, calls]) => [operation, { calls, why: EMULATOR_ONLY_OPERATIONS[operation] as string }]),
    ),
    httpRequests: total(last.attempts),
    callOrder: last.order,
    stateTransitions: entered.length,
    stateTransitionsNote:
      'StateEntered events of the execution history: Step Functions Standard bills one state transition per state entered (a retry would add one more each).',
    statesEntered: entered.map((e) => e.state ?? ''),
    retries,
    pipelineMedianMs: round(pipelineMedianMs, 1),
    pipelineRunsMs: pipelineRuns.map((r) => round(r.ms, 1)),
    pipelineFirstRunMs: round(first.ms, 1),
    directCallsMedianMs: round(directCallsMedianMs, 1),
    directRunsMs: directRuns.map((r) => round(r.ms, 1)),
    directCallsByOperation: (directRuns[directRuns.length - 1] as { byOperation: Record<string, number> }).byOperation,
    overheadRatio: round(pipelineMedianMs / directCallsMedianMs, 2),
    routerMedianMs: round(routerMedianMs, 1),
    stateMedianMs,
    costPerTenantUsd: significant(transitionsUsd + requestsUsd + durationUsd, 3),
    cost: {
      prices: {
        ...PRICES,
        note: 'Standard workflow state transitions $0.025 per 1,000; Lambda requests $0.20 per 1M; Lambda duration $0.0000133334 per GB-second on arm64 ($0.0000166667 on x86_64).',
      },
      architecture: options.functions.architecture,
      memorySource: options.functions.source,
      stateTransitions: entered.length,
      lambdaRequests,
      lambdaGbSeconds: significant(gbSeconds, 4),
      transitionsUsd: significant(transitionsUsd, 4),
      requestsUsd: significant(requestsUsd, 4),
      durationUsd: significant(durationUsd, 4),
      byFunction,
      excluded:
        'Durations are the medians measured here, in-process against the emulator (on AWS each call waits for the real service, so duration cost is higher); cold-start init time, free tiers, ' +
        'the tenant\'s recurring costs (Secrets Manager $0.40 per secret-month, S3 storage and requests) and EventBridge PutEvents ($1.00 per million) are not in the figure.',
    },
  };
}
