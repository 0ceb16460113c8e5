import { ExecutionDoesNotExist, type DescribeExecutionOutput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { main, type BackendOpener } from '../../../cli/main';
import type { CliIo } from '../../../cli/output';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PROVISION_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:tenant-provisioner-dev-provision-tenant`;
export const TEARDOWN_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:tenant-provisioner-dev-teardown-tenant`;

export const executionArn = (workflow: 'provision' | 'teardown', name: string): string =>
  `${(workflow === 'provision' ? PROVISION_MACHINE : TEARDOWN_MACHINE).replace(':stateMachine:', ':execution:')}:${name}`;

export const T0 = new Date('2026-11-23T09:00:00.000Z');
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

export const doesNotExist = () => new ExecutionDoesNotExist({ $metadata: {}, message: 'Execution Does Not Exist' });

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Runs tenantctl in-process with captured output, instant polling and the clock `now`: over the
 * backend `open` gives, or else the real one (AWS, its SDK clients mocked by the test).
 */
export async function runTenantctl(argv: string[], options: { now: () => Date; env?: NodeJS.ProcessEnv; open?: BackendOpener }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { ...process.env, TENANT_PROVISIONER_ACCOUNT_ID: ACCOUNT, ...options.env },
    now: options.now,
    sleep: async () => undefined,
    pollMs: 0,
    discoveryTimeoutMs: 50,
  };
  const code = await main(argv, io, options.open);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** Runs tenantctl in-process against the real AWS backend (its SDK clients mocked by the test), with captured output and instant polling. */
export const tenantctl = (argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => runTenantctl(argv, { now: () => at(3600), env });

export function describeOutput(
  workflow: 'provision' | 'teardown',
  name: string,
  fields: Partial<DescribeExecutionOutput> & { inputObject?: unknown; outputObject?: unknown } = {},
): DescribeExecutionOutput {
  const { inputObject, outputObject, ...rest } = fields;
  return {
    executionArn: executionArn(workflow, name),
    stateMachineArn: workflow === 'provision' ? PROVISION_MACHINE : TEARDOWN_MACHINE,
    name,
    status: 'SUCCEEDED',
    startDate: T0,
    input: JSON.stringify(inputObject ?? { orgId: 'Acme' }),
    ...(outputObject === undefined ? {} : { output: JSON.stringify(outputObject) }),
    ...rest,
  };
}

/** Step Functions history events, numbered in order. */
export function history(...events: Omit<HistoryEvent, 'id'>[]): HistoryEvent[] {
  return events.map((event, index) => ({ ...event, id: index + 1 }));
}

export const event = {
  started: (seconds: number, input: unknown = { orgId: 'Acme' }): Omit<HistoryEvent, 'id'> => ({
    type: 'ExecutionStarted',
    timestamp: at(seconds),
    executionStartedEventDetails: { input: JSON.stringify(input) },
  }),
  entered: (seconds: number, type: string, name: string, input: unknown = {}): Omit<HistoryEvent, 'id'> => ({
    type: `${type}StateEntered` as HistoryEvent['type'],
    timestamp: at(seconds),
    stateEnteredEventDetails: { name, input: JSON.stringify(input) },
  }),
  exited: (seconds: number, type: string, name: string, output: unknown = {}): Omit<HistoryEvent, 'id'> => ({
    type: `${type}StateExited` as HistoryEvent['type'],
    timestamp: at(seconds),
    stateExitedEventDetails: { name, output: JSON.stringify(output) },
  }),
  scheduled: (seconds: number): Omit<HistoryEvent, 'id'> => ({
    type: 'LambdaFunctionScheduled',
    timestamp: at(seconds),
    lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:123456789012:function:f' },
  }),
  lambdaFailed: (seconds: number, error: string, message: string): Omit<HistoryEvent, 'id'> => ({
    type: 'LambdaFunctionFailed',
    timestamp: at(seconds),
    lambdaFunctionFailedEventDetails: { error, cause: JSON.stringify({ errorType: error, errorMessage: message, trace: ['at x'] }) },
  }),
  lambdaSucceeded: (seconds: number): Omit<HistoryEvent, 'id'> => ({ type: 'LambdaFunctionSucceeded', timestamp: at(seconds), lambdaFunctionSucceededEventDetails: { output: '{}' } }),
  failed: (seconds: number, error: string, cause: string): Omit<HistoryEvent, 'id'> => ({
    type: 'ExecutionFailed',
    timestamp: at(seconds),
    executionFailedEventDetails: { error, cause },
  }),
  succeeded: (seconds: number, output: unknown = {}): Omit<HistoryEvent, 'id'> => ({
    type: 'ExecutionSucceeded',
    timestamp: at(seconds),
    executionSucceededEventDetails: { output: JSON.stringify(output) },
  }),
  redriven: (seconds: number, redriveCount: number): Omit<HistoryEvent, 'id'> => ({
    type: 'ExecutionRedriven',
    timestamp: at(seconds),
    executionRedrivenEventDetails: { redriveCount },
  }),
};

/** A Task state that succeeds at once. */
export const okTask = (seconds: number, name: string, output: unknown = {}) => [
  event.entered(seconds, 'Task', name),
  event.scheduled(seconds),
  event.lambdaSucceeded(seconds + 0.1),
  event.exited(seconds + 0.1, 'Task', name, output),
];
