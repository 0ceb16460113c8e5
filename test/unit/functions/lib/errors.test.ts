import * as errors from '../../../../functions/lib/errors';

type ErrorClass = new (message: string, options?: ErrorOptions) => Error;
/** Every error class errors.ts exports, but the two abstract kinds. */
const classes = (Object.entries(errors) as [string, unknown][]).filter(
  (entry): entry is [string, ErrorClass] =>
    typeof entry[1] === 'function' && entry[1].prototype instanceof Error && entry[1] !== errors.PermanentError && entry[1] !== errors.TransientError,
);

describe('the error contract', () => {
  it.each(classes.map(([exported, ErrorClass]) => [exported, ErrorClass] as const))('%s has its own literal name and keeps its cause', (exported, ErrorClass) => {
    const cause = new Error('the SDK error');
    const err = new ErrorClass('what happened', { cause });
    expect({ name: err.name, message: err.message, cause: err.cause }).toEqual({ name: exported, message: 'what happened', cause });
  });

  it('derives the permanent and transient names from the classes, one list each', () => {
    const permanent = classes.filter(([, ErrorClass]) => ErrorClass.prototype instanceof errors.PermanentError).map(([name]) => name);
    const transient = classes.filter(([, ErrorClass]) => ErrorClass.prototype instanceof errors.TransientError).map(([name]) => name);
    expect([...errors.PERMANENT_ERROR_NAMES].sort()).toEqual(permanent.sort());
    expect([...errors.TRANSIENT_ERROR_NAMES].sort()).toEqual(transient.sort());
    expect(errors.PERMANENT_ERROR_NAMES).toContain('TenantUserConflictError');
    expect(errors.TRANSIENT_ERROR_NAMES).toEqual(['TenantPolicyNotReadyError', 'AccessKeyQuotaSettlingError', 'BucketNameSettlingError', 'TenantCredentialsNotReadyError', 'EventPublishError']);
    // Refused by the ledger is neither: caught only where the ledger answers, never retried.
    expect(new errors.TenantRunSupersededError('m')).not.toBeInstanceOf(errors.PermanentError);
  });
});
