import { errorNamesIn, exportedErrorNames, isServiceName, ledgerRefusingSteps, loadMachine, MACHINES, retrierFor, type Definition } from './asl';
import * as errors from '../../../functions/lib/errors';
import { placeholderOf } from '../../../functions/registry';
import { testTaskHandlers } from '../../support/task-handlers';

const handlers = testTaskHandlers();

const machines = MACHINES.map((machine): [string, Definition] => [machine, loadMachine(machine)]);
const definitions = machines.map(([, definition]) => definition);

describe('the three state machines', () => {
  it('name in ErrorEquals only errors exported from functions/lib/errors.ts', () => {
    const domain = [...errorNamesIn(definitions)].filter((name) => !isServiceName(name));
    expect(domain).toContain('TenantRunSupersededError');
    for (const name of domain) expect(exportedErrorNames).toContain(name);
  });

  it('handle every exported domain error somewhere', () => {
    const used = [...errorNamesIn(definitions)];
    expect(exportedErrorNames).toContain('TenantRunSupersededError');
    for (const name of exportedErrorNames) expect(used).toContain(name);
  });

  it('run only Lambdas the registry maps (serverless.yml and the local runner substitute the same placeholders)', () => {
    for (const [machine, definition] of machines) {
      for (const [name, state] of Object.entries(definition.States).filter(([, s]) => s.Type === 'Task')) {
        const placeholder = placeholderOf(state.Resource ?? '');
        expect({ machine, name, mapped: placeholder !== undefined && placeholder in handlers }).toEqual({ machine, name, mapped: true });
      }
    }
  });

  it('never catch States.ALL or States.TaskFailed, so exhausted transient errors fail the execution where they happen (redrivable)', () => {
    for (const [machine, definition] of machines) {
      for (const [name, state] of Object.entries(definition.States)) {
        for (const catcher of state.Catch ?? []) {
          expect({ machine, name, errors: catcher.ErrorEquals }).toEqual({ machine, name, errors: expect.not.arrayContaining(['States.ALL', 'States.TaskFailed']) });
        }
      }
    }
  });

  it('catch TenantRunSupersededError only where the ledger refuses (its steps, and the steps that grant access), and send it to a state that ends the run', () => {
    for (const [machine, definition] of machines) {
      const ledger = ledgerRefusingSteps(definition);
      expect(ledger.length).toBeGreaterThanOrEqual(2);
      for (const [name, state] of Object.entries(definition.States)) {
        const catcher = state.Catch?.find((c) => c.ErrorEquals.includes('TenantRunSupersededError'));
        if (!catcher) continue;
        expect({ machine, name, ledgerStep: ledger.includes(name) }).toEqual({ machine, name, ledgerStep: true });
        expect({ machine, name, catcher: catcher.ErrorEquals }).toEqual({ machine, name, catcher: ['TenantRunSupersededError'] });
        expect({ machine, name, endsIn: definition.States[catcher.Next]?.Type }).toEqual({ machine, name, endsIn: expect.stringMatching(/^(Fail|Succeed)$/) });
      }
    }
  });

  it('never retry TenantRunSupersededError where it is thrown (a refusal is final)', () => {
    for (const [machine, definition] of machines) {
      for (const name of ledgerRefusingSteps(definition)) {
        const state = definition.States[name] as Definition['States'][string];
        // Every ledger step, RecordTenantDeleted included, answers a refusal at once: retrying it cannot help.
        expect({ machine, name, retries: retrierFor(state, 'TenantRunSupersededError')?.MaxAttempts ?? 0 }).toEqual({ machine, name, retries: 0 });
      }
    }
  });

  it('confirm the run with the ledger first in every workflow (nothing before it but deriving the names)', () => {
    for (const [machine, definition] of machines) {
      const first = definition.States[definition.StartAt];
      const confirm = first?.Resource === '${RecordTenantStateFunctionArn}' ? definition.StartAt : first?.Next;
      expect({ machine, confirm }).toEqual({ machine, confirm: 'ConfirmTenantRun' });
      expect(definition.States.ConfirmTenantRun?.Parameters?.transition).toBe('confirm');
    }
  });

  it('keep the names every workflow is built on in one place: the permanent errors are the ones errors.ts lists', () => {
    const caught = new Set(definitions.flatMap((d) => Object.values(d.States).flatMap((s) => (s.Catch ?? []).flatMap((c) => c.ErrorEquals))));
    for (const name of errors.PERMANENT_ERROR_NAMES) expect(caught.has(name)).toBe(true);
  });
});
