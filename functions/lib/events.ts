import type { ErrorObject } from 'ajv';
import { InvalidEventError, InvalidOrgIdError } from './errors';
import * as validators from './generated/event-validators';
import type { DetailValidator } from './generated/event-validators';

/** The detail of an OrgCreated event, as the schema in `events/` defines it. */
export interface OrgCreatedDetail {
  orgId: string;
  orgName?: string;
  region?: string;
}

export interface OrgDeletedDetail {
  orgId: string;
  orgName?: string;
  region?: string;
  retentionDays?: number;
}

/** The `source` of the events the POS system puts (serverless.yml's `posEventSource` default). */
export const POS_EVENT_SOURCE = 'pos.signup';

export const DETAIL_TYPES = {
  orgCreated: 'OrgCreated',
  orgDeleted: 'OrgDeleted',
  orgProvisioned: 'OrgProvisioned',
  orgProvisioningFailed: 'OrgProvisioningFailed',
  orgDeprovisioned: 'OrgDeprovisioned',
  orgRestored: 'OrgRestored',
} as const;

/** A value quoted for an error message: JSON-escaped and cut short, so control characters or megabytes never reach a log. */
export function quote(value: unknown, max = 60): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…"` : text;
}

function fieldOf(error: ErrorObject): string {
  if (error.keyword === 'required') return String((error.params as { missingProperty: string }).missingProperty);
  return error.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'detail';
}

function valueAt(data: unknown, field: string): unknown {
  let current: unknown = data;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** One readable sentence naming the field that is wrong and what it must be (the schema's own description). */
function describe(error: ErrorObject, data: unknown): string {
  const field = fieldOf(error);
  if (error.keyword === 'required') return `${field} is required`;
  if (field === 'detail' && error.keyword === 'type') return 'detail must be a JSON object';
  const rule = (error.parentSchema as { description?: string } | undefined)?.description ?? error.message ?? 'is invalid';
  return `${field} ${quote(valueAt(data, field))} is invalid: must be ${rule}`;
}

/** Checks a detail with its validator, generated from `events/schemas/` by `npm run generate:validators`. */
function validateDetail<T>(validate: DetailValidator, detail: unknown, what: string): T {
  if (validate(detail)) return detail as T;
  const error = validate.errors?.[0];
  if (!error) throw new InvalidEventError(`${what} is invalid`);
  const message = `Invalid ${what}: ${describe(error, detail)}`;
  if (fieldOf(error) === 'orgId') throw new InvalidOrgIdError(message);
  throw new InvalidEventError(message);
}

/**
 * Checks an OrgCreated detail against `events/schemas/org-created.schema.json`.
 * @throws InvalidOrgIdError when orgId is missing or malformed; InvalidEventError for any other field.
 */
export function parseOrgCreatedDetail(detail: unknown): OrgCreatedDetail {
  return validateDetail<OrgCreatedDetail>(validators.orgCreatedDetail, detail, 'OrgCreated');
}

/** Checks an OrgDeleted detail against `events/schemas/org-deleted.schema.json`. */
export function parseOrgDeletedDetail(detail: unknown): OrgDeletedDetail {
  return validateDetail<OrgDeletedDetail>(validators.orgDeletedDetail, detail, 'OrgDeleted');
}

/** Schema checks for what we emit: a bug here must fail loudly, not reach consumers. */
export function assertOrgProvisionedDetail(detail: unknown): void {
  validateDetail(validators.orgProvisionedDetail, detail, 'OrgProvisioned');
}

export function assertOrgProvisioningFailedDetail(detail: unknown): void {
  validateDetail(validators.orgProvisioningFailedDetail, detail, 'OrgProvisioningFailed');
}

export function assertOrgDeprovisionedDetail(detail: unknown): void {
  validateDetail(validators.orgDeprovisionedDetail, detail, 'OrgDeprovisioned');
}

export function assertOrgRestoredDetail(detail: unknown): void {
  validateDetail(validators.orgRestoredDetail, detail, 'OrgRestored');
}

export function assertTenantCredentialsRotatedDetail(detail: unknown): void {
  validateDetail(validators.tenantCredentialsRotatedDetail, detail, 'TenantCredentialsRotated');
}
