import { LIVE_COUNTER_KEY, TENANT_STATES, type TenantLedgerItem, type TenantState } from './model';

/**
 * - `written`: the item (and the live count) changed.
 * - `conflict`: the item is no longer at the version the decision read (someone else wrote it
 *   first): read it again and decide again.
 * - `quota-exceeded`: the write would make one tenant live more than the quota allows.
 */
export type LedgerWriteOutcome = 'written' | 'conflict' | 'quota-exceeded';

export interface LedgerListOptions {
  /** Only tenants in one of these states. */
  states?: readonly TenantState[];
}

/**
 * Where the tenant ledger lives. Every write is conditional on the version the writer read (no
 * item: on there being none), so of two writers that read the same item exactly one wins; the
 * live-tenant count moves in the same atomic write.
 */
export interface LedgerStore {
  /** The tenant's item, read strongly consistently; undefined when the ledger has none. */
  get(slug: string): Promise<TenantLedgerItem | undefined>;
  /**
   * Writes `next` when the stored item's version is `expectedVersion` (undefined: when there is
   * no item), and adds `liveDelta` to the live-tenant count — refusing +1 when the count has
   * reached `quota` (undefined: no limit).
   */
  write(next: TenantLedgerItem, expectedVersion: number | undefined, liveDelta: -1 | 0 | 1, quota?: number): Promise<LedgerWriteOutcome>;
  /** How many tenants are live (hold, or may hold, an IAM user). */
  liveTenants(): Promise<number>;
  /** Every tenant (tombstones included), in no particular order. */
  list(options?: LedgerListOptions): AsyncIterable<TenantLedgerItem>;
}

/** Checks what a store read back is a ledger item, so a corrupted item fails loudly and by name. */
export function assertLedgerItem(value: unknown, where: string): asserts value is TenantLedgerItem {
  const item = value as Partial<TenantLedgerItem> | undefined;
  const problem =
    item === undefined || item === null || typeof item !== 'object'
      ? 'is not an object'
      : typeof item.slug !== 'string'
        ? 'has no slug'
        : typeof item.orgId !== 'string'
          ? 'has no orgId'
          : !TENANT_STATES.includes(item.state as TenantState)
            ? `has an unknown state ${JSON.stringify(item.state)}`
            : typeof item.version !== 'number' || typeof item.generation !== 'number'
              ? 'has no version or generation'
              : !Array.isArray(item.history)
                ? 'has no history'
                : undefined;
  if (problem) throw new Error(`The tenant ledger item ${where} ${problem}`);
}

/** The ledger in memory: for unit tests and model checks. Same semantics as the DynamoDB store. */
export class MemoryLedgerStore implements LedgerStore {
  private readonly items = new Map<string, TenantLedgerItem>();
  private live = 0;

  async get(slug: string): Promise<TenantLedgerItem | undefined> {
    const item = this.items.get(slug);
    return item && structuredClone(item);
  }

  async write(next: TenantLedgerItem, expectedVersion: number | undefined, liveDelta: -1 | 0 | 1, quota?: number): Promise<LedgerWriteOutcome> {
    if (next.slug === LIVE_COUNTER_KEY) throw new Error(`${LIVE_COUNTER_KEY} is not a tenant`);
    const stored = this.items.get(next.slug);
    if (stored?.version !== expectedVersion) return 'conflict';
    if (liveDelta > 0 && quota !== undefined && this.live >= quota) return 'quota-exceeded';
    this.items.set(next.slug, structuredClone(next));
    this.live += liveDelta;
    return 'written';
  }

  async liveTenants(): Promise<number> {
    return this.live;
  }

  async *list(options: LedgerListOptions = {}): AsyncIterable<TenantLedgerItem> {
    for (const item of this.items.values()) {
      if (!options.states || options.states.includes(item.state)) yield structuredClone(item);
    }
  }
}
