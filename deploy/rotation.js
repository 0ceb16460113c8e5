/**
 * The tenant key rotation settings every function gets (ROTATION_DAYS, PREVIOUS_KEY_OVERLAP_DAYS),
 * from stage parameters `rotationDays` and `previousKeyOverlapDays`, checked as
 * functions/lib/config.ts checks them at cold start: a stage whose every function would fail its
 * cold start fails packaging instead, naming the parameter.
 */

/** Secrets Manager's longest rotation interval (RotationRules.AutomaticallyAfterDays); config.ts MAX_ROTATION_DAYS. */
const MAX_ROTATION_DAYS = 1000;

const text = (value) => String(value ?? '').trim();
const wholeDays = (value) => /^\d{1,4}$/.test(value) && Number(value) <= MAX_ROTATION_DAYS;

/** Both settings, checked together (the overlap must end before the next rotation deletes the previous key). */
async function rotationSettings(resolveVariable) {
  const rotationDays = text(await resolveVariable('param:rotationDays'));
  const overlapDays = text(await resolveVariable('param:previousKeyOverlapDays'));
  if (!wholeDays(rotationDays)) {
    throw new Error(`Stage parameter rotationDays=${JSON.stringify(rotationDays)} must be a whole number of days from 0 (no scheduled rotation) to ${MAX_ROTATION_DAYS}`);
  }
  if (!wholeDays(overlapDays)) throw new Error(`Stage parameter previousKeyOverlapDays=${JSON.stringify(overlapDays)} must be a whole number of days from 0 to ${MAX_ROTATION_DAYS}`);
  if (Number(rotationDays) > 0 && Number(overlapDays) >= Number(rotationDays)) {
    throw new Error(
      `Stage parameter previousKeyOverlapDays=${JSON.stringify(overlapDays)} must be less than rotationDays (${rotationDays}): the next rotation deletes the previous key`,
    );
  }
  return { rotationDays, overlapDays };
}

module.exports.rotationDaysEnv = async ({ resolveVariable }) => (await rotationSettings(resolveVariable)).rotationDays;
module.exports.previousKeyOverlapDaysEnv = async ({ resolveVariable }) => (await rotationSettings(resolveVariable)).overlapDays;
