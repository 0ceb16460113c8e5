/**
 * Compiles the event schemas in `events/schemas/` into plain validator functions (ajv's
 * standalone code), so the Lambdas check event details without carrying ajv's compiler or
 * compiling at cold start. `npm run generate:validators` writes the module; the unit test
 * test/unit/functions/lib/generated/event-validators.test.ts fails when it is out of date.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import ajvPackage from 'ajv/package.json';
import addFormats from 'ajv-formats';
import ajvFormatsPackage from 'ajv-formats/package.json';
import orgCreatedSchema from '../events/schemas/org-created.schema.json';
import orgDeletedSchema from '../events/schemas/org-deleted.schema.json';
import orgDeprovisionedSchema from '../events/schemas/org-deprovisioned.schema.json';
import orgProvisionedSchema from '../events/schemas/org-provisioned.schema.json';
import orgProvisioningFailedSchema from '../events/schemas/org-provisioning-failed.schema.json';
import orgRestoredSchema from '../events/schemas/org-restored.schema.json';
import tenantCredentialsRotatedSchema from '../events/schemas/tenant-credentials-rotated.schema.json';

const ROOT = join(__dirname, '..');

export const EVENT_VALIDATORS_FILE = join(ROOT, 'functions/lib/generated/event-validators.js');

export const EVENT_SCHEMAS = [orgCreatedSchema, orgDeletedSchema, orgProvisionedSchema, orgProvisioningFailedSchema, orgDeprovisionedSchema, orgRestoredSchema, tenantCredentialsRotatedSchema];

/** The exported name of each validator, and the schema it checks: the `detail` of each event. */
export const DETAIL_VALIDATORS = {
  orgCreatedDetail: `${orgCreatedSchema.$id}#/definitions/detail`,
  orgDeletedDetail: `${orgDeletedSchema.$id}#/definitions/detail`,
  orgProvisionedDetail: `${orgProvisionedSchema.$id}#/definitions/detail`,
  orgProvisioningFailedDetail: `${orgProvisioningFailedSchema.$id}#/definitions/detail`,
  orgDeprovisionedDetail: `${orgDeprovisionedSchema.$id}#/definitions/detail`,
  orgRestoredDetail: `${orgRestoredSchema.$id}#/definitions/detail`,
  tenantCredentialsRotatedDetail: `${tenantCredentialsRotatedSchema.$id}#/definitions/detail`,
} as const;

const COMMAND = 'npm run generate:validators';

/**
 * The source of functions/lib/generated/event-validators.js as the schemas produce it now.
 * `verbose` keeps each error's `parentSchema`, whose `description` the messages of
 * functions/lib/events.ts quote; patterns keep ajv's `u` flag. ES module exports let esbuild
 * leave out of a function's bundle the validators it never calls.
 */
export function eventValidatorsSource(): string {
  const ajv = new Ajv({ allErrors: false, strict: true, verbose: true, code: { source: true, esm: true, lines: true } });
  addFormats(ajv, ['date-time']);
  ajv.addSchema(EVENT_SCHEMAS);
  const header = [
    `// GENERATED FILE, do not edit: regenerate with \`${COMMAND}\` (scripts/generate-validators.ts)`,
    `// from events/schemas/{${EVENT_SCHEMAS.map((schema) => schema.$id.replace(/^.*\/|\.schema\.json$/g, '')).join(',')}}.schema.json`,
    `// by ajv ${ajvPackage.version} (standalone code) with ajv-formats ${ajvFormatsPackage.version} (date-time).`,
    '// An ES module that require()s ajv\'s runtime helpers: loaded through esbuild (the Lambdas) and ts-jest (tests).',
    `// Exports: ${Object.keys(DETAIL_VALIDATORS).join(', ')}.`,
  ].join('\n');
  return `${header}\n${standaloneCode(ajv, { ...DETAIL_VALIDATORS })}\n`;
}

if (require.main === module) {
  writeFileSync(EVENT_VALIDATORS_FILE, eventValidatorsSource());
  process.stdout.write(`wrote ${relative(ROOT, EVENT_VALIDATORS_FILE)}\n`);
}
