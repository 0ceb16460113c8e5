import { Output, type CliIo } from '../../../cli/output';
import { colourWanted, stateColour, Style, visibleLength } from '../../../cli/style';

const tty = { isTTY: true, env: {}, noColor: false };

describe('colourWanted', () => {
  it('colours a terminal, and not a pipe', () => {
    expect(colourWanted(tty)).toBe(true);
    expect(colourWanted({ ...tty, isTTY: false })).toBe(false);
  });

  it('never colours with --no-color, a non-empty NO_COLOR, TERM=dumb or a --json document', () => {
    expect(colourWanted({ ...tty, noColor: true })).toBe(false);
    expect(colourWanted({ ...tty, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colourWanted({ ...tty, env: { NO_COLOR: 'false' } })).toBe(false);
    expect(colourWanted({ ...tty, env: { TERM: 'dumb' } })).toBe(false);
    expect(colourWanted({ ...tty, json: true })).toBe(false);
  });

  it('takes an empty NO_COLOR as unset (no-color.org)', () => {
    expect(colourWanted({ ...tty, env: { NO_COLOR: '' } })).toBe(true);
  });

  it('colours a pipe with FORCE_COLOR, unless it is 0 or an explicit no says otherwise', () => {
    expect(colourWanted({ ...tty, isTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(colourWanted({ ...tty, env: { FORCE_COLOR: '0' } })).toBe(false);
    expect(colourWanted({ ...tty, isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).toBe(false);
    expect(colourWanted({ ...tty, isTTY: false, env: { FORCE_COLOR: '1' }, noColor: true })).toBe(false);
    expect(colourWanted({ ...tty, isTTY: false, env: { FORCE_COLOR: '1' }, json: true })).toBe(false);
  });
});

describe('Style', () => {
  it('paints states in their colours: active green, parked and failures red, runs under way yellow', () => {
    const style = new Style(true);

    expect(style.state('active')).toBe('\u001b[32mactive\u001b[39m');
    expect(style.state('parked', 'parked (deleting)')).toBe('\u001b[31mparked (deleting)\u001b[39m');
    for (const word of ['rolled-back', 'FAILED', 'TIMED_OUT']) expect(stateColour(word)).toBe('red');
    for (const word of ['provisioning', 'retained', 'RUNNING']) expect(stateColour(word)).toBe('yellow');
    expect(style.mark('✓')).toBe('\u001b[32m✓\u001b[39m');
    expect(style.mark('✗')).toBe('\u001b[31m✗\u001b[39m');
    expect(style.mark('↻')).toBe('\u001b[33m↻\u001b[39m');
    expect(visibleLength(style.state('active'))).toBe('active'.length);
  });

  it('leaves text as it is when colour is off', () => {
    const style = new Style(false);

    expect(style.state('active')).toBe('active');
    expect(style.red('tenantctl:')).toBe('tenantctl:');
  });
});

describe('Output', () => {
  const io = (tty: boolean, env: NodeJS.ProcessEnv = {}) => {
    const written = { stdout: '', stderr: '' };
    const cli: CliIo = {
      stdout: (text) => (written.stdout += text),
      stderr: (text) => (written.stderr += text),
      env,
      now: () => new Date(0),
      sleep: async () => undefined,
      stdoutIsTTY: tty,
      stderrIsTTY: tty,
    };
    return { cli, written };
  };

  it('prefixes an error with a red tenantctl: on a terminal, and a warning with a yellow one', () => {
    const { cli, written } = io(true);
    const out = new Output(cli, false);

    out.error('no tenant Acme');
    out.warning('the ledger did not record the redrive');

    expect(written.stderr).toBe('\u001b[31mtenantctl:\u001b[39m no tenant Acme\n\u001b[33mtenantctl: warning:\u001b[39m the ledger did not record the redrive\n');
  });

  it('writes the same sentences without colour through a pipe, with --no-color and with NO_COLOR', () => {
    for (const [cli, noColor] of [[io(false).cli, false], [io(true).cli, true], [io(true, { NO_COLOR: '1' }).cli, false]] as const) {
      const out = new Output(cli, false, { noColor });
      expect([out.style.enabled, out.errorStyle.enabled]).toEqual([false, false]);
    }
    const { cli, written } = io(false);
    new Output(cli, false).error('no tenant Acme');
    expect(written.stderr).toBe('tenantctl: no tenant Acme\n');
  });

  it('keeps colour out of stdout with --json, but not out of stderr on a terminal', () => {
    const out = new Output(io(true).cli, true);

    expect(out.style.enabled).toBe(false);
    expect(out.errorStyle.enabled).toBe(true);
  });
});
