/**
 * The local mode's background runner: a detached `tenantctl __run <spec>` process that puts
 * an event through the router, applies an operator's lifecycle request (restore, a new
 * generation, a redriven run) to the ledger, or redrives an execution with the local execution
 * port; tells the command that spawned it what happened (over the IPC channel), and then keeps
 * running every execution it started after that command has returned — as Step Functions does.
 * Its records are in the store and the ledger, where every other tenantctl process reads them.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Workflow } from '../../functions/lib/executions';
import type { OperatorRequest, OrgEventType } from '../backend';
import { CliError } from '../errors';

export type RunnerSpec =
  | { kind: 'event'; detailType: OrgEventType; detail: Record<string, unknown> }
  | { kind: 'lifecycle'; request: OperatorRequest }
  | { kind: 'redrive'; workflow: Workflow; name: string; clientToken: string };

export type RunnerReply = { ok: true; result: unknown } | { ok: false; error: { name: string; message: string } };

export const RUNNER_COMMAND = '__run';
const REPLY_TIMEOUT_MS = 120_000;

export function runnerLogFile(stateDir: string): string {
  return join(stateDir, 'runner.log');
}

export function encodeSpec(spec: RunnerSpec): string {
  return Buffer.from(JSON.stringify(spec), 'utf8').toString('base64url');
}

export function decodeSpec(text: string): RunnerSpec {
  return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as RunnerSpec;
}

/**
 * Starts a background runner for `spec` and resolves with its reply, once it has started
 * what it was asked to (the execution then runs on in that process).
 * @throws Error named as the runner's error (e.g. `ExecutionNotRedrivable`) when it refused.
 */
export function spawnRunner(spec: RunnerSpec, options: { entry: string; stateDir: string; env: NodeJS.ProcessEnv }): Promise<unknown> {
  mkdirSync(options.stateDir, { recursive: true });
  const logFile = runnerLogFile(options.stateDir);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [options.entry, RUNNER_COMMAND, encodeSpec(spec)], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    env: options.env,
  });
  closeSync(log);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    };
    const timer = setTimeout(
      () => settle(() => reject(new CliError(`The local runner (pid ${child.pid ?? '?'}) did not answer within ${REPLY_TIMEOUT_MS / 1000} s: see ${logFile}`))),
      REPLY_TIMEOUT_MS,
    );
    child.once('message', (message) => {
      const reply = message as RunnerReply;
      if (child.connected) child.disconnect();
      child.unref();
      settle(() => {
        if (reply.ok) resolve(reply.result);
        else reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
      });
    });
    child.once('error', (err) => settle(() => reject(err)));
    child.once('exit', (code, signal) =>
      settle(() => reject(new CliError(`The local runner exited (${signal ?? `code ${code}`}) before it started anything: see ${logFile}`))),
    );
  });
}
