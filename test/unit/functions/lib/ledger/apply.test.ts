import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { loadConfig } from '../../../../../functions/lib/config';
import type { ExecutionPort, StartResult, Workflow } from '../../../../../functions/lib/executions';
import { applyLifecycle, LedgerContentionError, MAX_DECISION_ATTEMPTS, type LifecycleDeps } from '../../../../../functions/lib/ledger/apply';
import type { LifecycleRequest } from '../../../../../functions/lib/ledger/lifecycle';
import { MemoryLedgerStore, type LedgerWriteOutcome } from '../../../../../functions/lib/ledger/store';
import { mockedEventBridge } from '../../../../support/mocked-clients';

const { eventBridgeMock, eventBridge } = mockedEventBridge();
const config = loadConfig();
const created: LifecycleRequest = { kind: 'OrgCreated', orgId: 'Acme-Bistro-42', eventTime: '2026-12-01T10:00:00.000Z', eventId: 'e1' };
const deleted: LifecycleRequest = { kind: 'OrgDeleted', orgId: 'Acme-Bistro-42', eventTime: '2026-12-01T10:05:00.000Z', eventId: 'e2' };

/** An execution port that records what it was asked, in order. */
function recordingPort(start: (name: string) => StartResult = () => ({ started: true, executionArn: 'arn' })) {
  const calls: string[] = [];
  const port: Pick<ExecutionPort, 'start' | 'stop' | 'executionArn'> = {
    executionArn: (workflow: Workflow, name: string) => `arn:aws:states:us-east-1:123456789012:execution:${workflow}:${name}`,
    start: async (workflow, name) => {
      calls.push(`start ${workflow} ${name}`);
      return start(name);
    },
    stop: async (workflow, name) => {
      calls.push(`stop ${workflow} ${name}`);
    },
  };
  return { port, calls };
}

function deps(overrides: Partial<LifecycleDeps> = {}): LifecycleDeps {
  return {
    ledger: new MemoryLedgerStore(),
    executions: recordingPort().port,
    eventBridge,
    config,
    logger: { info: jest.fn(), warn: jest.fn(), error: jest.fn() },
    ...overrides,
  };
}

describe('applyLifecycle', () => {
  it('writes the decision, then carries out its effects in order: stop before start', async () => {
    const { port, calls } = recordingPort();
    const d = deps({ executions: port });
    await applyLifecycle(created, d);
    const result = await applyLifecycle(deleted, d);

    expect(result).toMatchObject({ action: 'started', state: 'revoking', item: expect.objectContaining({ version: 2 }) });
    expect(calls).toEqual(['start provision acme-bistro-42-g1-provision', 'stop provision acme-bistro-42-g1-provision', 'start teardown acme-bistro-42-g1-teardown']);
  });

  it('decides again after losing a write race, and gives up transiently after MAX_DECISION_ATTEMPTS', async () => {
    const ledger = new MemoryLedgerStore();
    let conflicts = 2;
    const write = ledger.write.bind(ledger);
    ledger.write = async (...args): Promise<LedgerWriteOutcome> => (conflicts-- > 0 ? 'conflict' : write(...args));
    const { port, calls } = recordingPort();
    await expect(applyLifecycle(created, deps({ ledger, executions: port }))).resolves.toMatchObject({ action: 'started' });
    expect(calls).toHaveLength(1);

    const stuck = new MemoryLedgerStore();
    let attempts = 0;
    stuck.write = async () => {
      attempts++;
      return 'conflict';
    };
    await expect(applyLifecycle(created, deps({ ledger: stuck }))).rejects.toBeInstanceOf(LedgerContentionError);
    expect(attempts).toBe(MAX_DECISION_ATTEMPTS);
  });

  it('reports the live-tenant count after a write that changed it, and only then', async () => {
    const metrics = jest.fn();
    const d = deps({ metrics });
    await applyLifecycle(created, d);
    await applyLifecycle(created, d);
    expect(metrics.mock.calls).toEqual([[1, config.tenantQuota]]);
  });

  it('turns a write refused at the quota into a rejection that starts nothing', async () => {
    const { port, calls } = recordingPort();
    const result = await applyLifecycle(created, deps({ executions: port, config: { ...config, tenantQuota: 0 } }));
    expect(result).toMatchObject({ action: 'rejected', error: 'TenantQuotaExceededError' });
    expect(result.state).toBeUndefined();
    expect(calls).toEqual([]);
    expect(eventBridgeMock.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it('says so in the logs when Step Functions refuses a name the ledger just handed out', async () => {
    const d = deps({ executions: recordingPort(() => ({ started: false, reason: 'already-exists' })).port });
    await applyLifecycle(created, d);
    expect(d.logger.error).toHaveBeenCalledWith(expect.stringContaining('StartExecution refused a name the ledger just recorded'), expect.objectContaining({ metric: 'LedgerExecutionNameTaken' }));
  });

  it('records a workflow step without an execution port or EventBridge, and refuses an effect it cannot carry out', async () => {
    const ledger = new MemoryLedgerStore();
    await applyLifecycle(created, deps({ ledger }));
    const item = await ledger.get('acme-bistro-42');
    const { executions: _e, eventBridge: _b, ...ledgerOnly } = deps({ ledger });
    const runEnded: LifecycleRequest = { kind: 'run-ended', slug: 'acme-bistro-42', executionArn: item?.provision?.arn ?? '', executionName: 'x', status: 'FAILED', by: 'test' };
    await expect(applyLifecycle(runEnded, ledgerOnly)).resolves.toMatchObject({ action: 'recorded', state: 'parked' });
    await expect(applyLifecycle(deleted, ledgerOnly)).rejects.toThrow('has no execution port');
  });
});
