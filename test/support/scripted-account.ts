/**
 * The part every in-memory account model of a unit test shares: a log of the operations called,
 * in order, and failures scripted for the next call of an operation, thrown before it takes effect
 * or after (a Lambda that timed out after its call did).
 */
export class ScriptedAccount {
  log: string[] = [];
  private failures = new Map<string, { error: Error; afterApplying: boolean }>();

  /** The next call of `operation` fails with `error`: before it takes effect, or (`afterApplying`) after. */
  failNext(operation: string, error: Error, afterApplying = false): void {
    this.failures.set(operation, { error, afterApplying });
  }

  /** Logs `operation` and applies it, failing as scripted. */
  protected async run<T>(operation: string, apply: () => T): Promise<T> {
    this.log.push(operation);
    const failure = this.failures.get(operation);
    if (failure) this.failures.delete(operation);
    if (failure && !failure.afterApplying) throw failure.error;
    const result = apply();
    if (failure) throw failure.error;
    return result;
  }
}
