import { PLAIN, type Colour, type Style } from './style';

/** A cell: its text, and the colour it is shown in on a terminal. */
export interface Cell {
  text: string;
  colour?: Colour | undefined;
}

export interface TableOptions {
  /** Between columns (default two spaces); a list gives each column's own (after column i). */
  gap?: string | string[];
  /** Before every row (e.g. an indent). */
  indent?: string;
  /** Columns aligned right (their index); the others are aligned left. */
  right?: number[];
  style?: Style;
}

/**
 * Rows as lines whose columns are as wide as their widest cell, so a long orgId (40
 * characters) or a resource name made of it moves the next column instead of breaking it. The
 * last column is not padded. Widths count the text, never its colour codes.
 */
export function table(rows: (string | Cell)[][], options: TableOptions = {}): string[] {
  const { gap = '  ', indent = '', right = [], style = PLAIN } = options;
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'string' ? { text: cell } : cell)));
  const columns = Math.max(0, ...cells.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) => Math.max(0, ...cells.map((row) => row[column]?.text.length ?? 0)));
  return cells.map((row) => {
    const shown = row.map((cell, column) => {
      const space = ' '.repeat(Math.max(0, (widths[column] ?? 0) - cell.text.length));
      const painted = style.paint(cell.colour, cell.text);
      if (right.includes(column)) return `${space}${painted}`;
      return column === row.length - 1 ? painted : `${painted}${space}`;
    });
    return `${indent}${shown.map((text, column) => (column === 0 ? text : `${typeof gap === 'string' ? gap : (gap[column - 1] ?? '  ')}${text}`)).join('')}`.trimEnd();
  });
}
