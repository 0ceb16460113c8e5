/**
 * Sees every command an AWS SDK v3 client sends, real or mocked, at the moment `send` is
 * called — so in the caller's async context, where local/function-scope.ts says which
 * function's code is running.
 *
 * Two doors, because aws-sdk-client-mock replaces `send` itself:
 * - real clients (the integration suite on the emulator): every client's `send` is smithy's
 *   `Client.prototype.send`, wrapped here once;
 * - mocked clients (the workflow suite's FakeAws): `mockClient()` stubs `send` on the client's
 *   prototype or instance with sinon, so a stubbed call never reaches the SDK (nor its
 *   middleware stack). Each `send` stub sinon creates for a client is watched as it is called:
 *   a mocked call is still a call the function's code makes, and its role must allow it.
 *   (sinon runs every call of a stub through the stub's own `invoke(func, thisValue, args)`.)
 *
 * And a third for what stands in for an API locally: the local execution port is Step
 * Functions' API to the router, the status tracker and the ledger step, so its calls are the
 * StartExecution, StopExecution, DescribeExecution… they would send on AWS.
 */
import { Client } from '@smithy/core/client';
import sinon from 'sinon';
import { LocalExecutionPort } from '../../../local/executions';

/** Told of each command as it is sent, with the client sending it. */
export type SendObserver = (sent: { operation: string; input: unknown }) => void;

type Send = (this: unknown, ...args: unknown[]) => unknown;
type Invoke = (this: unknown, func: unknown, thisValue: unknown, args: unknown[]) => unknown;

/** `S3` for an S3Client (or a subclass of it, like the aggregated `S3`). */
function serviceOf(client: unknown): string {
  for (let proto = Object.getPrototypeOf(client) as object | null; proto && proto !== Client.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    const name = (proto.constructor as { name?: string } | undefined)?.name;
    if (name && name.endsWith('Client') && name !== 'Client') return name.slice(0, -'Client'.length);
  }
  return 'Unknown';
}

/** `S3.CreateBucket`: the names bench/lib/api-counter.ts and iam-actions.ts use. */
export function operationOf(client: unknown, command: unknown): string {
  const commandName = (command as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? 'Unknown';
  return `${serviceOf(client)}.${commandName.replace(/Command$/, '')}`;
}

const isClientOrClientPrototype = (object: unknown): boolean => object instanceof Client;

/** Installs both doors; returns their removal (stubs already made keep a door that then observes nothing). */
export function observeSdkSends(observe: SendObserver): () => void {
  let active = true;
  const tell = (client: unknown, command: unknown) => {
    if (active) observe({ operation: operationOf(client, command), input: (command as { input?: unknown } | undefined)?.input });
  };

  const realSend = Client.prototype.send as unknown as Send;
  const watchedSend: Send = function (this: unknown, ...args: unknown[]) {
    tell(this, args[0]);
    return realSend.apply(this, args);
  };
  (Client.prototype as unknown as { send: Send }).send = watchedSend;

  const api = sinon as unknown as { stub: (...args: unknown[]) => unknown };
  const realStub = api.stub;
  api.stub = function (this: unknown, ...args: unknown[]) {
    const stub = realStub.apply(this, args);
    if (args[1] === 'send' && isClientOrClientPrototype(args[0])) {
      const watched = stub as { invoke: Invoke };
      const realInvoke = watched.invoke;
      if (typeof realInvoke !== 'function') throw new Error('sinon stubs no longer have invoke(): test/support/sdk-calls/install.ts cannot see mocked SDK calls');
      watched.invoke = function (this: unknown, func, thisValue, callArgs) {
        tell(thisValue, callArgs[0]);
        return realInvoke.call(this, func, thisValue, callArgs);
      };
    }
    return stub;
  };

  return () => {
    active = false;
    if (Client.prototype.send === (watchedSend as unknown)) (Client.prototype as unknown as { send: Send }).send = realSend;
    api.stub = realStub;
  };
}

/** The local execution port's methods that are Step Functions API calls on AWS (waitFor and idle are the tests' own). */
const PORT_OPERATIONS: Record<string, string> = {
  start: 'SFN.StartExecution',
  stop: 'SFN.StopExecution',
  describe: 'SFN.DescribeExecution',
  list: 'SFN.ListExecutions',
  history: 'SFN.GetExecutionHistory',
  redrive: 'SFN.RedriveExecution',
};

/** Tells `observe` of each call of the local execution port as the Step Functions call it stands for; returns its removal. */
export function observeLocalExecutionPort(observe: SendObserver): () => void {
  const port = LocalExecutionPort.prototype as unknown as Record<string, Send>;
  const real = new Map<string, Send>();
  for (const [method, operation] of Object.entries(PORT_OPERATIONS)) {
    const call = port[method];
    if (typeof call !== 'function') throw new Error(`LocalExecutionPort has no ${method}(): update PORT_OPERATIONS in test/support/sdk-calls/install.ts`);
    real.set(method, call);
    port[method] = function (this: unknown, ...args: unknown[]) {
      observe({ operation, input: {} });
      return call.apply(this, args);
    };
  }
  return () => {
    for (const [method, call] of real) port[method] = call;
  };
}
