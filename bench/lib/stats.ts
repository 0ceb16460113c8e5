/** Small helpers shared by the benchmarks: medians, rounding, timing, the machine's description. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem, type as osType, release } from 'node:os';

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `value` with `digits` decimals (as a number, for JSON). */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Significant digits, for tiny amounts such as dollars per tenant. */
export function significant(value: number, digits = 3): number {
  return value === 0 ? 0 : Number(value.toPrecision(digits));
}

export function now(): number {
  return performance.now();
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = now();
  const result = await work();
  return { ms: now() - start, result };
}

/** Progress for the person running the bench (stderr: stdout carries the functions' JSON logs). */
export function say(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function moto(python: string): string | undefined {
  try {
    return execFileSync(python, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export interface Machine {
  cpuModel: string;
  cpus: number;
  memoryGb: number;
  os: string;
  node: string;
  moto?: string;
  /** 1-minute load average when the bench started and ended: other work on a shared machine shows here. */
  loadAverageAtStart: number;
  loadAverageAtEnd?: number;
  freeMemoryGbAtStart: number;
}

export function describeMachine(python: string): Machine {
  const list = cpus();
  const motoVersion = moto(python);
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    os: `${osType()} ${release()}`,
    node: process.version,
    ...(motoVersion ? { moto: motoVersion } : {}),
    loadAverageAtStart: round(loadavg()[0] ?? 0, 2),
    freeMemoryGbAtStart: round(freemem() / 2 ** 30, 1),
  };
}

/** Runs `work(i)` for i in 0..count-1 with at most `limit` at once. */
export async function pooled(count: number, limit: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Samples this process's RSS (and optionally another process's, by pid) every `everyMs` until stopped. */
export function rssSampler(everyMs = 50, otherPid?: number): { stop(): { peakRssMb: number; otherPeakRssMb?: number } } {
  let peak = process.memoryUsage.rss();
  let otherPeak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
    if (otherPid !== undefined) otherPeak = Math.max(otherPeak, rssOf(otherPid) ?? 0);
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peakRssMb: round(peak / 2 ** 20, 0), ...(otherPid === undefined ? {} : { otherPeakRssMb: round(otherPeak / 2 ** 20, 0) }) };
    },
  };
}

/** A process's resident set size in bytes, from /proc (Linux); undefined elsewhere. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
