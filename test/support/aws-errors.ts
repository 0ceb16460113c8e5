/**
 * What AWS answers when a tenant's resource is not there, or not ours to touch: the SDK's own
 * exception classes with AWS's messages, a fresh error on each call.
 */
import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { AccessDenied, NoSuchBucket } from '@aws-sdk/client-s3';
import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';

/** S3, for a bucket that does not exist. */
export const noSuchBucket = () => new NoSuchBucket({ $metadata: {}, message: 'The specified bucket does not exist' });

/** S3, for a bucket this account may not touch (another account's). */
export const accessDenied = () => new AccessDenied({ $metadata: {}, message: 'Access Denied' });

/** IAM, for a user that does not exist. */
export const noSuchUser = (userName: string) => new NoSuchEntityException({ $metadata: {}, message: `The user with name ${userName} cannot be found.` });

/** Secrets Manager, for a secret that does not exist. */
export const noSuchSecret = () => new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret." });
