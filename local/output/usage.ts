/** Bad usage in the project's own words, for tenantctl and `npm run demo` alike. */

/** What a complaint about an option needs to know of it. */
export interface OptionWording {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder, e.g. `<days>`: `Option --retention-days <days> needs a value`. */
  value?: string;
}

const flagOf = (name: string, spec: OptionWording | undefined) => `--${name}${spec?.value ? ` ${spec.value}` : ''}`;

/**
 * node:util parseArgs' complaint about `args`, parsed with the options `specs`, as one sentence
 * (its own texts quote unevenly and speak of Node's API).
 */
export function parseArgsMessage(err: unknown, args: string[], specs: Record<string, OptionWording>): string {
  // parseArgs' errors may come from another realm (under jest): read code and message, not instanceof.
  const { code, message } = err as { code?: string; message?: string };
  // parseArgs quotes `'--days <value>'`, or `'-d, --days <value>'` for an option with a short form.
  const quoted = /'(-{1,2}[^' ,]+)/.exec(message ?? '')?.[1];
  const name = quoted?.replace(/^-+/, '');
  const shortOwner = Object.entries(specs).find(([, spec]) => spec.short === name)?.[0];
  const option = shortOwner ?? name ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option ${quoted ?? JSON.stringify(String(message))}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const spec = specs[option];
      if (spec?.type === 'boolean') return `Option --${option} takes no value`;
      const index = args.findIndex((arg) => arg === `--${option}` || (spec?.short !== undefined && arg === `-${spec.short}`));
      const next = index >= 0 ? args[index + 1] : undefined;
      return next === undefined ? `Option ${flagOf(option, spec)} needs a value` : `Option ${flagOf(option, spec)} needs a value, not the option ${next}`;
    }
    default:
      return String(message ?? err).split('\n')[0] ?? 'Invalid command line';
  }
}
