import { Style } from '../../../cli/style';
import { table } from '../../../cli/table';

const LONG_ORG_ID = 'Abcdefghij-klmnopqrst-uvwxyz0123-4567890';

describe('table', () => {
  it('makes each column as wide as its widest cell, so a 40-character orgId moves the next column instead of breaking it', () => {
    expect(LONG_ORG_ID).toHaveLength(40);
    const lines = table([
      ['ORG ID', 'STATE', 'GEN'],
      [LONG_ORG_ID, 'active', '1'],
      ['Acme', 'parked (deleting)', '12'],
    ]);

    expect(lines).toEqual([
      `ORG ID${' '.repeat(34)}  STATE              GEN`,
      `${LONG_ORG_ID}  active             1`,
      `Acme${' '.repeat(36)}  parked (deleting)  12`,
    ]);
    expect(lines.map((line) => line.slice(42, 48))).toEqual(['STATE ', 'active', 'parked']);
  });

  it('counts the text, not its colour codes, and pads outside the colour', () => {
    const lines = table(
      [
        [{ text: 'a' }, { text: 'active', colour: 'green' }, { text: 'x' }],
        [{ text: 'bb' }, { text: 'parked', colour: 'red' }, { text: 'y' }],
      ],
      { style: new Style(true) },
    );

    expect(lines).toEqual(['a   \u001b[32mactive\u001b[39m  x', 'bb  \u001b[31mparked\u001b[39m  y']);
  });

  it('aligns right the columns it is told to, indents, takes a gap per column, and trims what ends empty', () => {
    const lines = table(
      [
        ['+3 ms', '✓', 'ValidateOrg', '8 ms', ''],
        ['+1.2 s', '✗', 'CreateTenantBucket', '110 ms', 'SlowDown'],
      ],
      { indent: '    ', gap: ['  ', ' ', '  ', '  '], right: [0, 3] },
    );

    expect(lines).toEqual(['     +3 ms  ✓ ValidateOrg           8 ms', '    +1.2 s  ✗ CreateTenantBucket  110 ms  SlowDown']);
  });
});
