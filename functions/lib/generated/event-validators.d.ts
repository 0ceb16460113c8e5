// Types of event-validators.js, which `npm run generate:validators` writes from events/schemas/.
import type { ErrorObject } from 'ajv';

/** An ajv standalone validator: true when `data` matches; otherwise `errors` holds the first error (allErrors is off). */
export interface DetailValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export declare const orgCreatedDetail: DetailValidator;
export declare const orgDeletedDetail: DetailValidator;
export declare const orgProvisionedDetail: DetailValidator;
export declare const orgProvisioningFailedDetail: DetailValidator;
export declare const orgDeprovisionedDetail: DetailValidator;
export declare const orgRestoredDetail: DetailValidator;
export declare const tenantCredentialsRotatedDetail: DetailValidator;
