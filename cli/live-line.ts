import type { CliIo } from './output';

/** How often a live line is redrawn (it is written only when its text changed). */
const REDRAW_MS = 250;

/**
 * One line of stdout that changes in place on a terminal (a countdown): drawn with `\r`,
 * erased with spaces (no escape codes, so it works on any terminal), never wider than the
 * terminal (a wrapped line could not be redrawn). Off the terminal, and with `--json`, it
 * draws nothing: a pipe gets only whole lines.
 */
export class LiveLine {
  private render: (() => string) | undefined;
  private shown = '';
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly io: Pick<CliIo, 'stdout' | 'stdoutIsTTY' | 'columns'>,
    readonly enabled: boolean,
  ) {}

  /** Shows `render()` now and keeps it current until `clear()`. */
  show(render: () => string): void {
    if (!this.enabled) return;
    this.render = render;
    this.draw();
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), REDRAW_MS);
      this.timer.unref();
    }
  }

  /** Erases the line (before a whole line is written, or when it is no longer true), and `extra` characters after it. */
  clear(extra = 0): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.render = undefined;
    if (this.shown) this.io.stdout(`\r${' '.repeat(Math.min(this.shown.length + extra, this.width()))}\r`);
    this.shown = '';
  }

  /** Whether something is on the line now. */
  get active(): boolean {
    return this.shown !== '';
  }

  /** The widest line that does not wrap. */
  private width(): number {
    return Math.max((this.io.columns?.() ?? 80) - 1, 10);
  }

  private draw(): void {
    if (!this.render) return;
    const width = this.width();
    const full = this.render();
    const text = full.length > width ? `${full.slice(0, width - 1)}…` : full;
    if (text === this.shown) return;
    const erase = this.shown.length > text.length ? ' '.repeat(this.shown.length - text.length) : '';
    this.io.stdout(`\r${text}${erase}${erase ? `\r${text}` : ''}`);
    this.shown = text;
  }
}
