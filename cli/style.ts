/**
 * Colour, decided once per stream: on a terminal, unless `--no-color` or `NO_COLOR` says no;
 * `FORCE_COLOR` asks for it through a pipe; `TERM=dumb` and `--json` never get it. The
 * precedence is gh's and no-color.org's: an explicit "no" wins over everything else.
 */

export type Colour = 'red' | 'green' | 'yellow' | 'dim' | 'bold';

const SGR: Record<Colour, [open: number, close: number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** What the colour of one stream is decided from. */
export interface ColourSignals {
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** `--no-color` was given. */
  noColor: boolean;
  /** The stream carries a `--json` document. */
  json?: boolean;
}

/** Whether a stream gets colour (see the module's comment for the rules and their order). */
export function colourWanted(signals: ColourSignals): boolean {
  const { env } = signals;
  if (signals.noColor || signals.json) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.TERM === 'dumb') return false;
  return signals.isTTY;
}

/** The colour a tenant state or execution status is shown in; undefined for none. */
export function stateColour(word: string): Colour | undefined {
  switch (word) {
    case 'active':
    case 'SUCCEEDED':
      return 'green';
    case 'parked':
    case 'rolled-back':
    case 'FAILED':
    case 'TIMED_OUT':
      return 'red';
    case 'provisioning':
    case 'revoking':
    case 'retained':
    case 'deleting':
    case 'restoring':
    case 'RUNNING':
    case 'PENDING_REDRIVE':
    case 'ABORTED':
      return 'yellow';
    case 'deleted':
      return 'dim';
    default:
      return undefined;
  }
}

/** The colour of a step's mark in a followed run or a timeline. */
const MARK_COLOURS: Record<string, Colour> = { '✓': 'green', '✗': 'red', '↯': 'yellow', '↻': 'yellow', '⧗': 'yellow', '■': 'yellow', '↺': 'yellow' };

export class Style {
  constructor(readonly enabled: boolean) {}

  paint(colour: Colour | undefined, text: string): string {
    if (!this.enabled || colour === undefined || text === '') return text;
    const [open, close] = SGR[colour];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  red(text: string): string {
    return this.paint('red', text);
  }

  green(text: string): string {
    return this.paint('green', text);
  }

  yellow(text: string): string {
    return this.paint('yellow', text);
  }

  dim(text: string): string {
    return this.paint('dim', text);
  }

  /** `text` (default: the word itself) in the colour of the tenant state or execution status `word`. */
  state(word: string, text = word): string {
    return this.paint(stateColour(word), text);
  }

  /** A step mark (✓ ✗ ↻ …) in its colour. */
  mark(mark: string): string {
    return this.paint(MARK_COLOURS[mark], mark);
  }
}

export const PLAIN = new Style(false);

/** The characters a terminal shows of `text`: without its colour codes. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
