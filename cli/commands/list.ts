import { TENANT_STATES, type TenantLedgerItem, type TenantState } from '../../functions/lib/ledger/model';
import { flag, stringOption, type Command } from '../context';
import { EXIT_OK, UsageError } from '../errors';
import { formatDuration, formatTime, oneLine } from '../output';
import { stateColour } from '../style';
import { table, type Cell } from '../table';
import { isTenant, stateLabel } from '../tenant/ledger';

/** How much of a transition's reason a row shows (`status` shows it all). */
const REASON_WIDTH = 60;

function parseStates(text: string): TenantState[] {
  const states = text.split(',').map((state) => state.trim()).filter(Boolean);
  const unknown = states.filter((state) => !(TENANT_STATES as readonly string[]).includes(state));
  if (states.length === 0 || unknown.length > 0) {
    throw new UsageError(`--state ${JSON.stringify(text)}: ${unknown.length ? `unknown state ${unknown.map((s) => JSON.stringify(s)).join(', ')}` : 'no state given'}; the states are ${TENANT_STATES.join(', ')}`, 'list');
  }
  return states as TenantState[];
}

function lastTransition(item: TenantLedgerItem) {
  return item.history[item.history.length - 1];
}

function tenantRow(item: TenantLedgerItem, now: Date) {
  const last = lastTransition(item);
  return {
    orgId: item.orgId,
    slug: item.slug,
    state: item.state,
    ...(item.state === 'parked' && item.parked ? { parkedFrom: item.parked.from } : {}),
    generation: item.generation,
    region: item.region,
    createdAt: item.createdAt,
    ageMs: Math.max(0, now.getTime() - Date.parse(item.createdAt)),
    ...(last ? { lastTransition: last } : {}),
  };
}

export const listCommand: Command = {
  spec: {
    name: 'list',
    readOnly: true,
    summary: 'every tenant in the ledger: state, generation, region, age and last transition',
    usage: 'list [--state <state>[,<state>…]] [--all]',
    description: [
      'Lists the tenants of the tenant ledger, sorted by slug: the orgId, the lifecycle state (a',
      'parked tenant shows the state it parked in), the generation, the region, the age (since the',
      'ledger first recorded it) and its last transition: when, to what, and why (shortened; the',
      'whole history is in `tenantctl status <orgId>`).',
      `The states: ${TENANT_STATES.join(', ')}.`,
      'The ledger also keeps a tombstone for an OrgDeleted of an org that never had a tenant (so a',
      'late OrgCreated is recognised): those are listed only with --all.',
    ].join('\n'),
    options: {
      state: { type: 'string', value: '<state,…>', help: 'only tenants in one of these states (comma-separated)' },
      all: { type: 'boolean', help: 'also the tombstones of OrgDeleted events for orgs that never had a tenant' },
    },
    positionals: { min: 0, max: 0 },
    examples: ['tenantctl list', 'tenantctl list --state parked,rolled-back', 'tenantctl --local list --state retained --json'],
  },
  async run(context) {
    const stateText = stringOption(context, 'state');
    const states = stateText === undefined ? undefined : parseStates(stateText);
    const all = flag(context, 'all');
    const backend = await context.backend();
    const now = context.io.now();

    const items: TenantLedgerItem[] = [];
    for await (const item of backend.ledger.list(states ? { states } : {})) if (all || isTenant(item)) items.push(item);
    items.sort((a, b) => a.slug.localeCompare(b.slug));

    const { out } = context;
    const filter = states ? ` in ${states.join(', ')}` : '';
    out.line(`${items.length} ${items.length === 1 ? 'tenant' : 'tenants'}${filter} — ${backend.location}`);
    if (items.length > 0) {
      out.line();
      const rows: (string | Cell)[][] = [['ORG ID', 'STATE', 'GEN', 'REGION', 'AGE', 'LAST TRANSITION']];
      for (const item of items) {
        const last = lastTransition(item);
        rows.push([
          item.orgId,
          { text: stateLabel(item), colour: stateColour(item.state) },
          String(item.generation),
          item.region,
          formatDuration(Math.max(0, now.getTime() - Date.parse(item.createdAt))),
          last ? `${formatTime(new Date(last.at))} → ${last.to}: ${oneLine(last.reason, REASON_WIDTH)}` : '—',
        ]);
      }
      for (const line of table(rows, { style: out.style })) out.line(line);
    }
    out.result({ mode: backend.mode, location: backend.location, ...(states ? { states } : {}), all, tenants: items.map((item) => tenantRow(item, now)) });
    return EXIT_OK;
  },
};
