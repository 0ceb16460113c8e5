import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { TenantLedgerItem } from '../../functions/lib/ledger/model';
import type { LedgerListOptions, LedgerStore, LedgerWriteOutcome } from '../../functions/lib/ledger/store';

/**
 * The local ledger as a read-only command sees it: the table is created in the emulator when the
 * local stack is applied (by the background runner, before it starts anything), so on a fresh
 * emulator it does not exist yet — which means no tenant has ever been recorded, not an error.
 * Writes are not softened: a write to a missing table is a bug and fails.
 */
export class LocalLedgerReader implements LedgerStore {
  constructor(private readonly store: LedgerStore) {}

  async get(slug: string): Promise<TenantLedgerItem | undefined> {
    return orEmpty(() => this.store.get(slug), undefined);
  }

  write(next: TenantLedgerItem, expectedVersion: number | undefined, liveDelta: -1 | 0 | 1, quota?: number): Promise<LedgerWriteOutcome> {
    return this.store.write(next, expectedVersion, liveDelta, quota);
  }

  async liveTenants(): Promise<number> {
    return orEmpty(() => this.store.liveTenants(), 0);
  }

  async *list(options?: LedgerListOptions): AsyncIterable<TenantLedgerItem> {
    try {
      for await (const item of this.store.list(options)) yield item;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }
}

async function orEmpty<T>(read: () => Promise<T>, empty: T): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return empty;
    throw err;
  }
}
