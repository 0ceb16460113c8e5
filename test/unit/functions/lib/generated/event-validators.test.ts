import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as generated from '../../../../../functions/lib/generated/event-validators';
import type { DetailValidator } from '../../../../../functions/lib/generated/event-validators';
import { DETAIL_VALIDATORS, EVENT_SCHEMAS, EVENT_VALIDATORS_FILE, eventValidatorsSource } from '../../../../../scripts/generate-validators';
import { INVALID_ORG_IDS } from '../../../../support/fixtures';
import orgCreated from '../../../../../events/samples/org-created.json';
import orgDeleted from '../../../../../events/samples/org-deleted.json';
import orgDeprovisioned from '../../../../../events/samples/org-deprovisioned.json';
import orgProvisioned from '../../../../../events/samples/org-provisioned.json';
import orgProvisioningFailed from '../../../../../events/samples/org-provisioning-failed.json';
import orgRestored from '../../../../../events/samples/org-restored.json';
import tenantCredentialsRotated from '../../../../../events/samples/tenant-credentials-rotated.json';

type ValidatorName = keyof typeof DETAIL_VALIDATORS;
type Case = [label: string, detail: unknown];

/** ajv as functions/lib/events.ts ran it before the validators were generated: compiled at runtime. */
function runtimeAjv(): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: true, verbose: true });
  addFormats(ajv, ['date-time']);
  ajv.addSchema(EVENT_SCHEMAS);
  return ajv;
}

const created = orgCreated.detail;
const deleted = orgDeleted.detail;
const provisioned = orgProvisioned.detail;
const failed = orgProvisioningFailed.detail;
const deprovisioned = orgDeprovisioned.detail;
const restored = orgRestored.detail;
const rotated = tenantCredentialsRotated.detail;

const VALID: Record<ValidatorName, Case[]> = {
  orgCreatedDetail: [
    ['the sample', created],
    ['only an orgId', { orgId: 'a' }],
    ['a 40-character orgId', { orgId: 'a'.repeat(40) }],
    ['a GovCloud region', { ...created, region: 'us-gov-west-1' }],
  ],
  orgDeletedDetail: [
    ['the sample', deleted],
    ['the longest retention', { ...deleted, retentionDays: 350 }],
    ['a name and region', { ...deleted, orgName: 'Acme Bistro', region: 'eu-west-1' }],
  ],
  orgProvisionedDetail: [
    ['the sample', provisioned],
    ['a time with an offset', { ...provisioned, provisionedAt: '2026-11-23T10:00:04+01:00' }],
    ['no generation (an execution started before the ledger)', { ...provisioned, generation: undefined }],
  ],
  orgProvisioningFailedDetail: [
    ['the sample', failed],
    ['a router rejection without orgId', { stage: 'router', error: 'InvalidOrgIdError', reason: 'orgId is required', failedAt: failed.failedAt }],
  ],
  orgDeprovisionedDetail: [
    ['the sample', deprovisioned],
    ['a resource left alone', { ...deprovisioned, leftAlone: [{ resource: 'bucket x', reason: 'not tagged for this org' }] }],
  ],
  orgRestoredDetail: [
    ['the sample', restored],
    ['no orgName', { ...restored, orgName: undefined }],
  ],
  tenantCredentialsRotatedDetail: [
    ['the sample', rotated],
    ['a first rotation of a tenant whose previous key was already gone', { ...rotated, previousAccessKeyId: undefined, previousKeyActiveUntil: undefined }],
  ],
};

const INVALID: Record<ValidatorName, Case[]> = {
  orgCreatedDetail: [
    ...INVALID_ORG_IDS.map(([label, orgId]): Case => [`an orgId that is ${label}`, { ...created, orgId }]),
    ['no orgId', { orgName: 'Acme Bistro' }],
    ['null', null],
    ['an array', []],
    ['a string', 'Acme-Bistro-42'],
    ['an empty orgName', { ...created, orgName: '' }],
    ['a 257-character orgName', { ...created, orgName: 'x'.repeat(257) }],
    ['a malformed region', { ...created, region: 'Europe' }],
    ['a non-ASCII digit in the region', { ...created, region: 'eu-west-١' }],
  ],
  orgDeletedDetail: [
    ...INVALID_ORG_IDS.map(([label, orgId]): Case => [`an orgId that is ${label}`, { ...deleted, orgId }]),
    ['no orgId', { retentionDays: 0 }],
    ['a negative retentionDays', { ...deleted, retentionDays: -1 }],
    ['a retentionDays past what keeps a teardown redrivable within a year', { ...deleted, retentionDays: 351 }],
    ['a fractional retentionDays', { ...deleted, retentionDays: 1.5 }],
    ['a retentionDays that is a string', { ...deleted, retentionDays: '7' }],
    ['a malformed region', { ...deleted, region: 'eu_west_1' }],
  ],
  orgProvisionedDetail: [
    ['an unknown field', { ...provisioned, password: 'x' }],
    ['no credentials', { ...provisioned, credentials: undefined }],
    ['an unknown credentials field', { ...provisioned, credentials: { ...provisioned.credentials, secretValue: 'x' } }],
    ['a bucket ARN of another service', { ...provisioned, bucket: { ...provisioned.bucket, arn: 'arn:aws:iam:::x' } }],
    ['a plain-HTTP publicBaseUrl', { ...provisioned, bucket: { ...provisioned.bucket, publicBaseUrl: 'http://x/' } }],
    ['a user ARN of another service', { ...provisioned, user: { ...provisioned.user, arn: 'arn:aws:s3:::x' } }],
    ['a secret ARN of another service', { ...provisioned, credentials: { ...provisioned.credentials, secretArn: 'arn:aws:ssm:x' } }],
    ['a date without a time', { ...provisioned, provisionedAt: '2026-11-23' }],
    ['a time without a zone', { ...provisioned, provisionedAt: '2026-11-23T09:00:04' }],
    ['a day that does not exist', { ...provisioned, provisionedAt: '2026-02-30T09:00:04Z' }],
    ['a generation 0', { ...provisioned, generation: 0 }],
  ],
  orgProvisioningFailedDetail: [
    ['an unknown stage', { ...failed, stage: 'deploy' }],
    ['no failedAt', { ...failed, failedAt: undefined }],
    ['a rolledBack that is a string', { ...failed, rolledBack: 'yes' }],
    ['an unknown field', { ...failed, stack: 'Error: …' }],
    ['a failedAt that is not a date', { ...failed, failedAt: 'now' }],
  ],
  orgDeprovisionedDetail: [
    ['a negative objectsDeleted', { ...deprovisioned, objectsDeleted: -1 }],
    ['a deleted entry that is not a string', { ...deprovisioned, deleted: [1] }],
    ['a resource left alone without a reason', { ...deprovisioned, leftAlone: [{ resource: 'bucket x' }] }],
    ['an unknown field in leftAlone', { ...deprovisioned, leftAlone: [{ resource: 'bucket x', reason: 'y', owner: 'z' }] }],
    ['no deprovisionedAt', { ...deprovisioned, deprovisionedAt: undefined }],
    ['a deprovisionedAt that is not a date', { ...deprovisioned, deprovisionedAt: '30/11/2026' }],
  ],
  orgRestoredDetail: [
    ['a provisionedAt instead of a restoredAt', { ...restored, restoredAt: undefined, provisionedAt: restored.restoredAt }],
    ['no restoredAt', { ...restored, restoredAt: undefined }],
    ['a restoredAt that is not a date', { ...restored, restoredAt: 'yesterday' }],
    ['an unknown credentials field', { ...restored, credentials: { ...restored.credentials, secretValue: 'x' } }],
    ['no executionName', { ...restored, executionName: undefined }],
    ['a generation 0', { ...restored, generation: 0 }],
  ],
  tenantCredentialsRotatedDetail: [
    ['a secret access key', { ...rotated, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }],
    ['an unknown credentials field', { ...rotated, credentials: { ...rotated.credentials, secretValue: 'x' } }],
    ['no versionId', { ...rotated, versionId: undefined }],
    ['no accessKeyId', { ...rotated, accessKeyId: undefined }],
    ['an accessKeyId that is not a key id', { ...rotated, accessKeyId: 'not a key' }],
    ['a rotatedAt that is not a date', { ...rotated, rotatedAt: 'now' }],
  ],
};

const NAMES = Object.keys(DETAIL_VALIDATORS) as ValidatorName[];
const reference = runtimeAjv();

function referenceValidator(name: ValidatorName) {
  const validate = reference.getSchema(DETAIL_VALIDATORS[name]);
  if (!validate) throw new Error(`${DETAIL_VALIDATORS[name]} is not in events/schemas`);
  return validate;
}

function casesOf(cases: Record<ValidatorName, Case[]>): [ValidatorName, string, unknown][] {
  return NAMES.flatMap((name) => cases[name].map(([label, detail]): [ValidatorName, string, unknown] => [name, label, detail]));
}

describe('event validators', () => {
  it('match what events/schemas produce (else run npm run generate:validators)', () => {
    const committed = readFileSync(EVENT_VALIDATORS_FILE, 'utf8');
    if (committed !== eventValidatorsSource()) {
      throw new Error(
        `${relative(process.cwd(), EVENT_VALIDATORS_FILE)} is out of date with events/schemas: run npm run generate:validators and commit the result`,
      );
    }
  });

  it('export one validator per event detail', () => {
    expect(NAMES.map((name) => typeof generated[name])).toEqual(NAMES.map(() => 'function'));
  });

  it("require nothing at runtime but ajv's and ajv-formats' small runtime helpers", () => {
    const required = [...readFileSync(EVENT_VALIDATORS_FILE, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(required.length).toBeGreaterThan(0);
    for (const path of required) expect(path).toMatch(/^(ajv\/dist\/runtime\/[a-z0-9]+|ajv-formats\/dist\/formats)$/i);
  });

  it.each(casesOf(VALID))('%s accepts %s, as runtime-compiled ajv does', (name, _label, detail) => {
    const validate: DetailValidator = generated[name];
    expect(referenceValidator(name)(detail)).toBe(true);
    expect(validate(detail)).toBe(true);
    expect(validate.errors).toBeNull();
  });

  it.each(casesOf(INVALID))('%s rejects %s with the first error runtime-compiled ajv reports', (name, _label, detail) => {
    const validate: DetailValidator = generated[name];
    const expected = referenceValidator(name);
    expect(expected(detail)).toBe(false);
    expect(validate(detail)).toBe(false);
    expect(validate.errors).toEqual(expected.errors);
    expect(validate.errors?.[0]?.parentSchema).toBeDefined();
  });
});
