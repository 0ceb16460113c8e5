/** Where the CLI writes, and how it formats what it writes. */
import { colourWanted, Style } from './style';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** The path of the running tenantctl bundle (the local mode starts its background runners with it). */
  entry?: string;
  /** How often a followed execution is polled (default: 2 s on AWS, 200 ms locally). */
  pollMs?: number;
  /** How long to wait for the execution the router starts after an event is put (default 90 s). */
  discoveryTimeoutMs?: number;
  /** Whether stdout and stderr are terminals (colour, live lines); absent: not. */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** The terminal's width, when stdout is one. */
  columns?: () => number | undefined;
  /** Calls `handler` on Ctrl-C (SIGINT) instead of ending the process; returns the undo. Absent: Ctrl-C ends it. */
  onInterrupt?: (handler: () => void) => () => void;
  /** Ends the process with this status at once. */
  exit?: (code: number) => void;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...(process.argv[1] ? { entry: process.argv[1] } : {}),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    columns: () => process.stdout.columns,
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => {
        process.off('SIGINT', handler);
      };
    },
    exit: (code) => process.exit(code),
  };
}

/**
 * Human text goes to stdout as it happens; with `--json`, only the one result document does.
 * Warnings go to stderr either way. Each stream has its colour decided once (cli/style.ts).
 */
export class Output {
  private document: unknown;
  /** The colours of human text on stdout (none with --json). */
  readonly style: Style;
  /** The colours of stderr. */
  readonly errorStyle: Style;

  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
    options: { noColor?: boolean } = {},
  ) {
    const noColor = options.noColor === true;
    this.style = new Style(colourWanted({ isTTY: io.stdoutIsTTY === true, env: io.env, noColor, json }));
    this.errorStyle = new Style(colourWanted({ isTTY: io.stderrIsTTY === true, env: io.env, noColor }));
  }

  line(text = ''): void {
    if (!this.json) this.io.stdout(`${text}\n`);
  }

  /** A line on stderr, as it is. */
  warn(text: string): void {
    this.io.stderr(`${text}\n`);
  }

  /** An error or refusal in one sentence on stderr, after a red `tenantctl:` on a terminal. */
  error(message: string): void {
    this.io.stderr(`${this.errorStyle.red('tenantctl:')} ${message}\n`);
  }

  /** A warning on stderr, after a yellow `tenantctl: warning:` on a terminal. */
  warning(message: string): void {
    this.io.stderr(`${this.errorStyle.yellow('tenantctl: warning:')} ${message}\n`);
  }

  /** The command's result, printed (with `--json`) when the command ends. */
  result(document: unknown): void {
    this.document = document;
  }

  flush(): void {
    if (this.json && this.document !== undefined) this.io.stdout(`${JSON.stringify(this.document, null, 2)}\n`);
  }
}

/** The formats of times, durations and causes, shared with the demo. */
export { formatDuration, formatTime, oneLine, readableCause } from '../local/output/format';
export { WORKFLOW_MACHINE } from '../functions/lib/executions';
