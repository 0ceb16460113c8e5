import type { LiveLine } from './live-line';
import type { CliIo } from './output';

/** The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** The echo of Ctrl-C a terminal may have put after a live line. */
const ECHO = '^C'.length;

/**
 * Runs `wait` (following or waiting for an execution) so that Ctrl-C does what an operator
 * expects of `kubectl logs -f` or `gh run watch`: it stops watching, not the execution. One line
 * on stderr says that the execution goes on and how to look at it (`line()`), and tenantctl exits
 * 130 at once, without a stack trace. Outside `wait`, Ctrl-C is Node's default again.
 */
export async function whileWatching<T>(io: Pick<CliIo, 'stderr' | 'stderrIsTTY' | 'onInterrupt' | 'exit'>, live: LiveLine | undefined, line: () => string, wait: () => Promise<T>): Promise<T> {
  const off = io.onInterrupt?.(() => {
    live?.clear(ECHO);
    // On a terminal the line starts where the echoed ^C is, and writes its own.
    io.stderr(`${io.stderrIsTTY ? '\r' : ''}^C ${line()}\n`);
    io.exit?.(EXIT_INTERRUPTED);
  });
  try {
    return await wait();
  } finally {
    off?.();
  }
}
