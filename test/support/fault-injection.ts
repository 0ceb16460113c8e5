/**
 * Fault injection into real AWS SDK v3 clients (the clients the local pipeline gives the functions: `pipeline.functionClients`), for
 * integration tests against the emulator: one middleware per client, at the `initialize`
 * step, so the SDK's own retries never see an injected error and the state machines'
 * Retry/Catch must handle it, as they would a Lambda's error on AWS.
 *
 * An operation is `<Service>.<Operation>` (`S3.CreateBucket`, `IAM.CreateUser`,
 * `SecretsManager.CreateSecret`, `EventBridge.PutEvents`, `S3Control.GetPublicAccessBlock`,
 * `DynamoDB.PutItem`, `STS.GetCallerIdentity`).
 * A rule fires on the `call`-th call (1-based) of its operation counted since it was armed,
 * and on the `times - 1` calls after it:
 * - `throttle`: throws the service's throttling error before the call (default twice);
 * - `access-denied`: throws the service's AccessDenied before the call, until disarmed;
 * - `permanent`: throws `error()` (the SDK error a step translates into a permanent domain error) before the call (default once);
 * - `after-effect`: makes the call, then throws a `TimeoutError` as a Lambda that timed out after it would (default once);
 * - `answer`: answers without calling, with `output()` or by throwing `error()` (default once).
 *
 * Every call is recorded (operation, input, outcome), so a test can discover which
 * operations a workflow uses and what it emitted.
 */
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { EventBridgeServiceException } from '@aws-sdk/client-eventbridge';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { AccessDenied, GetBucketTaggingCommand, PutBucketTaggingCommand, S3ServiceException, type S3Client, type Tag } from '@aws-sdk/client-s3';
import { S3ControlServiceException } from '@aws-sdk/client-s3-control';
import { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { STSServiceException } from '@aws-sdk/client-sts';
import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments, InitializeHandlerOutput, MetadataBearer } from '@smithy/types';
import { runOutsideFunctions } from '../../local/function-scope';
import type { ExecutionEvent } from '../../functions/lib/executions';

export type FaultKind = 'throttle' | 'access-denied' | 'permanent' | 'after-effect' | 'answer';

export interface FaultRule {
  /** `<Service>.<Operation>`, e.g. `S3.CreateBucket`. */
  operation: string;
  kind: FaultKind;
  /** The first call (1-based, counted since the rule was armed) that faults. Default 1. */
  call?: number;
  /** How many consecutive calls fault: throttle 2, access-denied until disarmed, every other kind 1. */
  times?: number;
  /** `permanent` (required) and `answer`: the error to throw. */
  error?: () => Error;
  /** `answer`: the command output to return without calling the service. */
  output?: () => object;
}

export interface ArmedFault {
  readonly rule: Readonly<FaultRule>;
  /** Calls of the operation seen since the rule was armed. */
  readonly seen: number;
  /** Calls the rule faulted (or answered). */
  readonly hits: number;
}

export interface RecordedCall {
  operation: string;
  input: unknown;
  outcome: 'ok' | 'error' | 'injected';
  /** The error's name (the service's own, or the injected one). */
  error?: string;
  injected?: FaultKind;
  /** When the call was made (ms since the epoch), to place it in an execution's history. */
  at: number;
}

export interface FaultInjector {
  /** Arms rules; each counts its operation's calls from now. */
  arm(...rules: FaultRule[]): ArmedFault[];
  /** Disarms every rule (their counts stay readable on the ArmedFault objects). */
  disarm(): void;
  /** Every call since installation (or the last `clearCalls`), in order. */
  readonly calls: readonly RecordedCall[];
  clearCalls(): void;
  /**
   * Installs the same middleware on more clients, e.g. ones made per request (the clients a key
   * proof signs with as the tenant): their calls count and fault with the same rules.
   */
  attach(...clients: ClientWithMiddleware[]): void;
  /** Removes the middleware from every client. */
  uninstall(): void;
}

export interface InstallFaultsOptions {
  /**
   * Emulator fidelity: moto ignores `CreateBucketConfiguration.Tags`, which AWS applies as the
   * bucket is created. With this operator client, a CreateBucket that succeeded and left the
   * bucket without tags gets those tags at once (before any after-effect fault), as on AWS.
   */
  emulateCreateBucketTags?: S3Client;
}

/** The part of an SDK v3 client this needs (any client's `middlewareStack` fits). */
export interface ClientWithMiddleware {
  middlewareStack: {
    add(middleware: (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) => InitializeHandler<object, MetadataBearer>, options: { step: 'initialize'; name: string; priority?: 'high' | 'normal' | 'low' }): void;
    remove(toRemove: string): boolean;
  };
}

const MIDDLEWARE_NAME = 'testFaultInjection';

type ServiceExceptionClass = typeof S3ServiceException;

/** The base exception of each service, so an injected error is what that client would throw. */
const SERVICE_EXCEPTIONS: Record<string, ServiceExceptionClass> = {
  S3: S3ServiceException,
  IAM: IAMServiceException as unknown as ServiceExceptionClass,
  SecretsManager: SecretsManagerServiceException as unknown as ServiceExceptionClass,
  EventBridge: EventBridgeServiceException as unknown as ServiceExceptionClass,
  S3Control: S3ControlServiceException as unknown as ServiceExceptionClass,
  DynamoDB: DynamoDBServiceException as unknown as ServiceExceptionClass,
  STS: STSServiceException as unknown as ServiceExceptionClass,
};

/** The throttling error code each service answers with. */
const THROTTLING_NAMES: Record<string, string> = {
  S3: 'SlowDown',
  IAM: 'Throttling',
  SecretsManager: 'ThrottlingException',
  EventBridge: 'ThrottlingException',
  S3Control: 'SlowDown',
  DynamoDB: 'ThrottlingException',
  STS: 'Throttling',
};

/** The access-denied error code each service answers with. */
const ACCESS_DENIED_NAMES: Record<string, string> = {
  S3: 'AccessDenied',
  IAM: 'AccessDenied',
  SecretsManager: 'AccessDeniedException',
  EventBridge: 'AccessDeniedException',
  S3Control: 'AccessDenied',
  DynamoDB: 'AccessDeniedException',
  STS: 'AccessDenied',
};

export function serviceOf(operation: string): string {
  return operation.slice(0, operation.indexOf('.'));
}

/** A service error of `operation`'s service with that error code, as its client would throw it. */
export function serviceError(operation: string, name: string, options: { fault?: 'client' | 'server'; status?: number; message?: string } = {}): Error {
  const service = serviceOf(operation);
  const Exception = SERVICE_EXCEPTIONS[service];
  if (!Exception) throw new Error(`No service exception is known for ${operation}`);
  const message = options.message ?? `${name} (injected into ${operation})`;
  const $metadata = { httpStatusCode: options.status ?? 400, requestId: 'fault-injection', attempts: 1, totalRetryDelay: 0 };
  if (service === 'S3' && name === 'AccessDenied') return new AccessDenied({ $metadata, message });
  return new Exception({ name, $fault: options.fault ?? 'client', $metadata, message });
}

export function throttlingError(operation: string): Error {
  const name = THROTTLING_NAMES[serviceOf(operation)] ?? 'ThrottlingException';
  const server = name === 'SlowDown';
  return serviceError(operation, name, { fault: server ? 'server' : 'client', status: server ? 503 : 400, message: 'Rate exceeded (injected)' });
}

export function accessDeniedError(operation: string): Error {
  const name = ACCESS_DENIED_NAMES[serviceOf(operation)] ?? 'AccessDeniedException';
  return serviceError(operation, name, { status: 403, message: `User is not authorized to perform ${operation} (injected)` });
}

/** What a Lambda that timed out after its call reports. */
export function lambdaTimeoutError(operation: string): Error {
  const error = new Error(`Task timed out after its ${operation} call had taken effect (injected)`);
  error.name = 'TimeoutError';
  return error;
}

/** `S3Client` + `CreateBucketCommand` → `S3.CreateBucket`. */
export function operationOf(context: HandlerExecutionContext): string {
  const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
  const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
  return `${service}.${command}`;
}

const DEFAULT_TIMES: Record<FaultKind, number> = { throttle: 2, 'access-denied': Infinity, permanent: 1, 'after-effect': 1, answer: 1 };

class Armed implements ArmedFault {
  seen = 0;
  hits = 0;
  active = true;
  constructor(readonly rule: Readonly<FaultRule>) {}

  /** Counts a call of the rule's operation; true when this call faults. */
  take(): boolean {
    if (!this.active) return false;
    this.seen++;
    const first = this.rule.call ?? 1;
    const times = this.rule.times ?? DEFAULT_TIMES[this.rule.kind];
    if (this.seen < first || this.seen >= first + times) return false;
    this.hits++;
    return true;
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'Error';
}

/**
 * Moto drops CreateBucket's tags; AWS applies them with the bucket. Puts them when the bucket has
 * none — as S3 would, so not as a call of the function whose CreateBucket this is.
 */
function applyCreateBucketTags(operator: S3Client, input: object): Promise<void> {
  return runOutsideFunctions(() => putCreateBucketTags(operator, input));
}

async function putCreateBucketTags(operator: S3Client, input: object): Promise<void> {
  const { Bucket, CreateBucketConfiguration } = input as { Bucket?: string; CreateBucketConfiguration?: { Tags?: Tag[] } };
  const tags = CreateBucketConfiguration?.Tags;
  if (!Bucket || !tags?.length) return;
  try {
    const { TagSet } = await operator.send(new GetBucketTaggingCommand({ Bucket }));
    if (TagSet?.length) return;
  } catch (err) {
    if (errorName(err) !== 'NoSuchTagSet') throw err;
  }
  await operator.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: tags } }));
}

/**
 * Adds the fault-injection middleware to each client (once per client) and returns the
 * injector that arms rules and records calls.
 */
export function installFaults(clients: ClientWithMiddleware[], options: InstallFaultsOptions = {}): FaultInjector {
  const armed: Armed[] = [];
  const calls: RecordedCall[] = [];

  const middleware =
    (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext): InitializeHandler<object, MetadataBearer> =>
    async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
      const operation = operationOf(context);
      const record: RecordedCall = { operation, input: args.input, outcome: 'ok', at: Date.now() };
      calls.push(record);
      // Every armed rule of this operation counts the call; the first that fires decides.
      const firing = armed.filter((fault) => fault.rule.operation === operation && fault.take())[0];
      const inject = (error: Error): never => {
        record.outcome = 'injected';
        record.error = error.name;
        if (firing) record.injected = firing.rule.kind;
        throw error;
      };

      if (firing) {
        const { rule } = firing;
        switch (rule.kind) {
          case 'throttle':
            return inject(throttlingError(operation));
          case 'access-denied':
            return inject(accessDeniedError(operation));
          case 'permanent':
            if (!rule.error) throw new Error(`A permanent fault on ${operation} needs an error`);
            return inject(rule.error());
          case 'answer':
            if (rule.error) return inject(rule.error());
            record.injected = 'answer';
            return { output: { $metadata: { httpStatusCode: 200, requestId: 'fault-injection' }, ...(rule.output?.() ?? {}) }, response: {} };
          case 'after-effect':
            break;
        }
      }

      let result: InitializeHandlerOutput<MetadataBearer> | undefined;
      try {
        result = await next(args);
      } catch (err) {
        record.outcome = 'error';
        record.error = errorName(err);
        if (firing?.rule.kind !== 'after-effect') throw err;
      }
      if (result && operation === 'S3.CreateBucket' && options.emulateCreateBucketTags) {
        await applyCreateBucketTags(options.emulateCreateBucketTags, args.input);
      }
      if (firing?.rule.kind === 'after-effect') {
        record.injected = 'after-effect';
        throw lambdaTimeoutError(operation);
      }
      return result as InitializeHandlerOutput<MetadataBearer>;
    };

  const installed: ClientWithMiddleware[] = [];
  const attach = (...more: ClientWithMiddleware[]) => {
    for (const client of more) {
      client.middlewareStack.remove(MIDDLEWARE_NAME);
      client.middlewareStack.add(middleware, { step: 'initialize', name: MIDDLEWARE_NAME, priority: 'high' });
      installed.push(client);
    }
  };
  attach(...clients);

  return {
    arm(...rules) {
      const added = rules.map((rule) => new Armed(rule));
      armed.push(...added);
      return added;
    },
    disarm() {
      for (const fault of armed) fault.active = false;
      armed.length = 0;
    },
    calls,
    clearCalls() {
      calls.length = 0;
    },
    attach,
    uninstall() {
      for (const client of installed) client.middlewareStack.remove(MIDDLEWARE_NAME);
      installed.length = 0;
    },
  };
}

/**
 * Each operation among `calls` with the Task state of `history` that made it, in first-call order:
 * a call belongs to the Task state running when it was made (the latest one entered).
 */
export function operationsByState(history: readonly ExecutionEvent[], calls: readonly RecordedCall[]): { operation: string; state: string }[] {
  const windows = history
    .filter((event) => event.type === 'StateEntered' && event.stateType === 'Task')
    .map((entered) => ({
      state: entered.state ?? '',
      from: entered.timestamp.getTime(),
      to: history.find((event) => event.type === 'StateExited' && event.state === entered.state)?.timestamp.getTime() ?? Infinity,
    }));
  const seen = new Map<string, string>();
  for (const call of calls) {
    const state = windows.filter((w) => w.from <= call.at && call.at <= w.to).at(-1)?.state ?? 'outside any state';
    if (!seen.has(call.operation)) seen.set(call.operation, state);
  }
  return [...seen].map(([operation, state]) => ({ operation, state }));
}
