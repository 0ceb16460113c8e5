import { TIME_RESERVE_MS } from '../../../functions/lib/bucket-walk';
import { countLoop, DEFAULT_CONTINUE_AT_EVENTS, EVENTS_PER_LOOP, EVENTS_PER_LOOP_BOUND, MAX_EVENTS_PER_EXECUTION, type HistoryCount } from '../../../functions/lib/history-budget';
import { checkTargets, type BenchResults } from '../../../bench/report';
import { invocationBudgetMs, teardownFigures, type TeardownResult, type TeardownRun } from '../../../bench/teardown';

type MeasuredRun = Pick<TeardownRun, 'apiCallsByOperation' | 'objectsDeleted' | 'stateMs'>;

/** The last run in bench/results/latest.json before these figures: 40,001 versions in 74,001 ms of DeleteTenantBucket. */
const benchRun: MeasuredRun = {
  apiCallsByOperation: {
    'S3.ListObjectVersions': 42,
    'S3.DeleteObjects': 41,
    'S3.DeleteBucket': 1,
    // Not the bucket's emptying: the revoke's and the deletion's policy removal, the ownership check.
    'S3.DeleteBucketPolicy': 2,
    'S3.GetBucketTagging': 2,
    'IAM.DeleteUser': 1,
  },
  objectsDeleted: 40_001,
  stateMs: { RevokeTenantAccess: 83, DeleteTenantBucket: 74_001, IsBucketDeleted: 0 },
};

/** A slow, chatty run: 1,000 versions in 100 s (10 a second), 6 requests. */
const slowRun: MeasuredRun = {
  apiCallsByOperation: { 'S3.ListObjectVersions': 3, 'S3.DeleteObjects': 2, 'S3.DeleteBucket': 1 },
  objectsDeleted: 1000,
  stateMs: { DeleteTenantBucket: 100_000 },
};

const BUDGET_MS = 880_000;

function benchResults(run: MeasuredRun): BenchResults {
  const teardown: TeardownResult = {
    objects: 500,
    versionsPerObject: 2,
    versionsPerBucket: run.objectsDeleted,
    apiCalls: 6,
    apiCallsByOperation: run.apiCallsByOperation,
    medianMs: 100_000,
    ...teardownFigures(run, BUDGET_MS),
    awsCli: { skipped: 'not in this test' },
    emulator: 'none',
    runs: [],
  };
  return {
    date: '2026-12-02T18:05:00.000Z',
    machine: { cpuModel: 'test', cpus: 2, memoryGb: 8, os: 'test', node: 'v22', loadAverageAtStart: 0, freeMemoryGbAtStart: 4 },
    runs: { provision: 0, burst: 0, teardown: 1, coldStart: 0 },
    durationSeconds: { total: 1, setup: 0 },
    teardown,
  };
}

/** countLoop's answers for `loops` loops of one execution, from its first. */
function continueAsNewAnswers(loops: number): boolean[] {
  let history: HistoryCount | undefined;
  return Array.from({ length: loops }, () => {
    const counted = countLoop(history, DEFAULT_CONTINUE_AT_EVENTS);
    history = counted.history;
    return counted.continueAsNew;
  });
}

// The requests, the rate and the invocations are worked out by hand below. The history figures
// follow functions/lib/history-budget.ts (its retry bound is tuned there), so they are checked
// against its constants and against countLoop itself, except one loop's 7 events, which are
// Step Functions' own (a Lambda Task's 5, a Choice's 2).
describe('teardownFigures', () => {
  it('gives the bench run 2.1 requests per 1,000 versions and 21 history events per million, both within target', () => {
    const figures = teardownFigures(benchRun, BUDGET_MS);
    const loops = figures.figuresBasis.loopsPerExecution;
    expect(EVENTS_PER_LOOP).toBe(7);
    expect(figures).toEqual({
      // (42 + 41 + 1) × 1,000 / 40,001 = 2.09995
      requestsPer1000Versions: 2.1,
      // 40,001 / 74.001 s = 540.55 a second × 880 s = 475,681.1
      versionsPerInvocation: 475_681,
      // ceil(1,000,000 / 475,681) = 3 invocations × 7 events
      historyEventsPerMillionVersions: 21,
      historyEventsPerMillionVersionsBound: 3 * EVENTS_PER_LOOP_BOUND,
      // ceil(100,000,000 / 475,681) = 211 invocations
      executionsFor100MillionVersions: Math.ceil(211 / loops),
      maxEventsPerExecution: MAX_EVENTS_PER_EXECUTION,
      figuresBasis: {
        bucketRequests: 84,
        versionsDeleted: 40_001,
        deleteTenantBucketSeconds: 74,
        versionsPerSecond: 540.5,
        invocationBudgetSeconds: 880,
        invocationsPerMillionVersions: 3,
        invocationsFor100MillionVersions: 211,
        loopsPerExecution: loops,
        continueAtEvents: DEFAULT_CONTINUE_AT_EVENTS,
      },
    });
  });

  it('takes the loops of one execution from countLoop: every loop until the one it tells to continue as new', () => {
    const loops = teardownFigures(benchRun, BUDGET_MS).figuresBasis.loopsPerExecution;
    expect(loops).toBeGreaterThan(100);
    const answers = continueAsNewAnswers(loops);
    expect(answers.slice(0, -1).every((continueAsNew) => !continueAsNew)).toBe(true);
    expect(answers[loops - 1]).toBe(true);
  });

  it('gives a slow, chatty run figures over their targets', () => {
    const figures = teardownFigures(slowRun, BUDGET_MS);
    // 6 × 1,000 / 1,000
    expect(figures.requestsPer1000Versions).toBe(6);
    // 1,000 / 100 s = 10 a second × 880 s
    expect(figures.versionsPerInvocation).toBe(8800);
    // ceil(1,000,000 / 8,800) = 114 invocations × 7 events
    expect(figures.historyEventsPerMillionVersions).toBe(798);
    expect(figures.historyEventsPerMillionVersionsBound).toBe(114 * EVENTS_PER_LOOP_BOUND);
    // ceil(100,000,000 / 8,800) = 11,364 invocations: more than one execution holds
    expect(figures.figuresBasis.invocationsFor100MillionVersions).toBe(11_364);
    expect(figures.executionsFor100MillionVersions).toBe(Math.ceil(11_364 / figures.figuresBasis.loopsPerExecution));
    expect(figures.executionsFor100MillionVersions).toBeGreaterThan(1);
  });

  it('refuses a run with no deletion rate to scale', () => {
    expect(() => teardownFigures({ ...benchRun, stateMs: { RevokeTenantAccess: 83 } }, BUDGET_MS)).toThrow('No deletion rate to scale: 40001 versions deleted in 0 ms of DeleteTenantBucket');
    expect(() => teardownFigures({ ...benchRun, objectsDeleted: 0 }, BUDGET_MS)).toThrow('No deletion rate to scale');
  });
});

describe('invocationBudgetMs', () => {
  it('is the DeleteTenantBucket Task\'s 900 s timeout less the walk\'s 20 s reserve', () => {
    expect(TIME_RESERVE_MS).toBe(20_000);
    expect(invocationBudgetMs()).toBe(880_000);
  });
});

describe('checkTargets (teardown figures)', () => {
  const teardownChecks = (run: MeasuredRun) => checkTargets(benchResults(run)).filter((c) => c.id !== 'teardown.speedupVsAwsCli');

  it('marks the bench run\'s figures met, with no cause', () => {
    expect(teardownChecks(benchRun).map(({ id, met, cause }) => ({ id, met, cause }))).toEqual([
      { id: 'teardown.requestsPer1000Versions', met: true, cause: undefined },
      { id: 'teardown.historyEventsPerMillionVersions', met: true, cause: undefined },
      { id: 'teardown.maxEventsPerExecution', met: true, cause: undefined },
    ]);
    expect(teardownChecks(benchRun)[0]?.value).toBe('2.1 (84: 42 ListObjectVersions, 41 DeleteObjects, 1 DeleteBucket, for 40,001 versions)');
    expect(teardownChecks(benchRun)[1]?.value).toBe(`21 (3 invocations × 7; every retry used: ${3 * EVENTS_PER_LOOP_BOUND})`);
  });

  it('marks the slow run\'s requests and history events not met, each with its cause', () => {
    const [requests, events, maxEvents] = teardownChecks(slowRun);
    expect(requests).toMatchObject({ met: false, value: expect.stringMatching(/^6 \(6: 3 ListObjectVersions/), cause: expect.stringContaining('3 ListObjectVersions for 2 DeleteObjects') });
    expect(events).toMatchObject({ met: false, value: `798 (114 invocations × 7; every retry used: ${(114 * EVENTS_PER_LOOP_BOUND).toLocaleString('en')})`, cause: expect.stringContaining('10 versions/s') });
    expect(maxEvents?.met).toBe(true);
  });
});
