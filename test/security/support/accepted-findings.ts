/**
 * The reviewed file of accepted analyser findings (test/security/analyser-findings.yml) and
 * how findings are held to it. An entry accepts the findings of one check of one analyser at
 * the places its `where` patterns name (`*` stands for any run of characters), and for
 * parliament's community auditors, only for the actions it lists. Everything else an analyser
 * finds is unaccepted; a pattern that accepts nothing is stale, so the file stays true.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Analyser, Finding } from './analysers';

export const ANALYSERS: Analyser[] = ['checkov', 'parliament', 'statelint'];

export interface AcceptedFinding {
  analyser: Analyser;
  check: string;
  where: string[];
  /** Lower case, as parliament names them. */
  actions?: string[];
  reason: string;
}

const ENTRY_KEYS = new Set(['check', 'where', 'actions', 'reason']);

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '');

/** Reads and checks the file: one section per analyser, each entry with a check, where, and a reason. */
export function loadAcceptedFindings(path: string): AcceptedFinding[] {
  const file = (parseYaml(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const accepted: AcceptedFinding[] = [];
  for (const [section, entries] of Object.entries(file)) {
    if (!ANALYSERS.includes(section as Analyser)) {
      problems.push(`unknown section ${section} (expected ${ANALYSERS.join(', ')})`);
      continue;
    }
    for (const [index, entry] of ((entries ?? []) as Record<string, unknown>[]).entries()) {
      const at = `${section}[${index}]`;
      const unknown = Object.keys(entry).filter((key) => !ENTRY_KEYS.has(key));
      if (unknown.length > 0) problems.push(`${at}: unknown keys ${unknown.join(', ')}`);
      const where = typeof entry.where === 'string' ? [entry.where] : entry.where;
      if (typeof entry.check !== 'string' || entry.check === '') problems.push(`${at}: no check`);
      if (!isStringList(where)) problems.push(`${at}: where must be a pattern or a list of them`);
      if (entry.actions !== undefined && !isStringList(entry.actions)) problems.push(`${at}: actions must be a list of actions`);
      if (typeof entry.reason !== 'string' || entry.reason.trim().length < 20) problems.push(`${at}: a finding is accepted only with its reason`);
      accepted.push({
        analyser: section as Analyser,
        check: String(entry.check),
        where: isStringList(where) ? where : [],
        ...(isStringList(entry.actions) ? { actions: entry.actions.map((a) => a.toLowerCase()) } : {}),
        reason: String(entry.reason),
      });
    }
  }
  if (problems.length > 0) throw new Error(`${path}:\n  ${problems.join('\n  ')}`);
  return accepted;
}

function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(text);
}

function accepts(entry: AcceptedFinding, pattern: string, finding: Finding): boolean {
  if (entry.analyser !== finding.analyser || entry.check !== finding.check || !globMatches(pattern, finding.where)) return false;
  if (!entry.actions) return true;
  return finding.actions !== undefined && finding.actions.every((action) => entry.actions?.includes(action));
}

const DETAIL_LENGTH = 200;

export function describeFinding(f: Finding): string {
  const detail = f.detail.length > DETAIL_LENGTH ? `${f.detail.slice(0, DETAIL_LENGTH)}…` : f.detail;
  return `${f.check} at ${f.where}${f.actions ? ` [${f.actions.join(', ')}]` : ''}${detail ? `: ${detail}` : ''}`;
}

export interface Triage {
  /** Findings no entry accepts, described. */
  unaccepted: string[];
  /** Entries' patterns that accepted no finding, described. */
  stale: string[];
  acceptedCount: number;
}

/** Holds `analyser`'s `findings` to the entries of its section. */
export function triage(analyser: Analyser, findings: Finding[], accepted: AcceptedFinding[]): Triage {
  const entries = accepted.filter((entry) => entry.analyser === analyser);
  const unaccepted = findings.filter((f) => !entries.some((entry) => entry.where.some((pattern) => accepts(entry, pattern, f))));
  const stale = entries.flatMap((entry) =>
    entry.where.flatMap((pattern) => {
      const matched = findings.filter((f) => accepts(entry, pattern, f));
      if (matched.length === 0) return [`${entry.check} at ${pattern}${entry.actions ? ` [${entry.actions.join(', ')}]` : ''} accepts no finding any more`];
      const named = new Set(matched.flatMap((f) => f.actions ?? []));
      const unused = (entry.actions ?? []).filter((action) => !named.has(action));
      return unused.length > 0 ? [`${entry.check} at ${pattern} accepts ${unused.join(', ')}, which no finding names any more`] : [];
    }),
  );
  return { unaccepted: unaccepted.map(describeFinding), stale, acceptedCount: findings.length - unaccepted.length };
}
