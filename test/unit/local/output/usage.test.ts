import { parseArgs } from 'node:util';
import { parseArgsMessage, type OptionWording } from '../../../../local/output/usage';

const OPTIONS: Record<string, OptionWording> = { 'org-id': { type: 'string' }, days: { type: 'string', short: 'd', value: '<days>' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

/** The message for what parseArgs throws on `args`. */
function messageFor(args: string[]): string {
  try {
    parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    return parseArgsMessage(err, args, OPTIONS);
  }
  throw new Error(`parseArgs accepted ${args.join(' ')}`);
}

describe('parseArgsMessage', () => {
  it('names an unknown option as it was typed', () => {
    expect(messageFor(['--colour'])).toBe('Unknown option --colour');
    expect(messageFor(['-x'])).toBe('Unknown option -x');
  });

  it('says which option needs a value (with its placeholder), and what was taken for one', () => {
    expect(messageFor(['--org-id'])).toBe('Option --org-id needs a value');
    expect(messageFor(['--org-id', '--keep'])).toBe('Option --org-id needs a value, not the option --keep');
    expect(messageFor(['-d'])).toBe('Option --days <days> needs a value');
  });

  it('says a flag takes no value, by its long name also when it has a short one', () => {
    expect(messageFor(['--keep=yes'])).toBe('Option --keep takes no value');
    expect(messageFor(['--help=yes'])).toBe('Option --help takes no value');
  });

  it("keeps parseArgs' own first line for anything else", () => {
    expect(messageFor(['Acme'])).toBe("Unexpected argument 'Acme'. This command does not take positional arguments");
  });
});
