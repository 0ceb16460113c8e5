import { testTaskHandlers } from '../../support/task-handlers';
import { committedTable, currentTable, registryPlaceholders } from './state-table';

describe('statemachine/README.md', () => {
  it('has the table of every Task state as the ASL files, the registry and the roles have it now', () => {
    // A stale table: run `npx tsx test/unit/statemachine/state-table.ts --write` and review the diff.
    expect(committedTable()).toBe(currentTable());
  });

  it('reads the registry\'s placeholders as the registry has them', () => {
    expect(registryPlaceholders().sort()).toEqual(Object.keys(testTaskHandlers()).sort());
  });
});
