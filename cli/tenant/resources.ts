import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { HeadBucketCommand, ListObjectsV2Command, NoSuchBucket, NotFound, type Tag } from '@aws-sdk/client-s3';
import { listAccessKeys } from '../../functions/lib/access-keys';
import { bucketTagSet, NOT_OUR_BUCKET_ERRORS } from '../../functions/lib/bucket-tags';
import { bucketArn } from '../../functions/lib/naming';
import { getUser } from '../../functions/lib/iam-user';
import { errorName } from '../../functions/lib/errors';
import { describeOwner, isTenantResource, tagsToRecord, TAG_TENANT_BUCKET } from '../../functions/lib/tags';
import { describeSecret, readHeldAccessKey } from '../../functions/lib/tenant-secret';
import type { Backend } from '../backend';
import { oneLine } from '../output';
import type { TenantLocation } from './names';

export type Presence = 'present' | 'absent' | 'unknown';

export interface ResourceState {
  name: string;
  status: Presence;
  /** Why it is absent although something has its name, why it is unknown, or what state it is in. */
  note?: string;
  arn?: string;
}

/** The tenant's resources as they exist now. Read-only: nothing is created, changed or deleted. */
export interface TenantResources {
  region: string;
  bucket: ResourceState;
  user: ResourceState;
  accessKeys: { status: Presence; active: string[]; inactive: string[]; note?: string };
  secret: ResourceState;
}

const unknown = (name: string, err: unknown): ResourceState => ({
  name,
  status: 'unknown',
  note: oneLine(`${errorName(err) ?? 'Error'}: ${err instanceof Error ? err.message : String(err)}`, 200),
});

type Clients = Pick<Backend, 's3For' | 'iam' | 'secretsManager' | 'accountId'>;

async function inspectUser(location: TenantLocation, backend: Clients): Promise<{ state: ResourceState; bucketTag?: string }> {
  try {
    const User = await getUser(backend.iam, location.userName);
    if (!User) return { state: { name: location.userName, status: 'absent' } };
    if (!isTenantResource(User.Tags, location.orgId)) {
      return { state: { name: location.userName, status: 'absent', note: `a user of that name exists, but ${describeOwner(User.Tags)}` } };
    }
    const bucketTag = tagsToRecord(User.Tags)[TAG_TENANT_BUCKET];
    return { state: { name: location.userName, status: 'present', ...(User.Arn ? { arn: User.Arn } : {}) }, ...(bucketTag ? { bucketTag } : {}) };
  } catch (err) {
    return { state: unknown(location.userName, err) };
  }
}

async function inspectKeys(location: TenantLocation, user: ResourceState, backend: Clients): Promise<TenantResources['accessKeys']> {
  if (user.status !== 'present') return { status: user.status === 'unknown' ? 'unknown' : 'absent', active: [], inactive: [] };
  try {
    const keys = await listAccessKeys(backend.iam, location.userName);
    const ids = (status: string) => keys.filter((key) => key.Status === status && key.AccessKeyId).map((key) => key.AccessKeyId as string);
    const active = ids('Active');
    return { status: active.length > 0 ? 'present' : 'absent', active, inactive: ids('Inactive') };
  } catch (err) {
    if (err instanceof NoSuchEntityException) return { status: 'absent', active: [], inactive: [] };
    return { status: 'unknown', active: [], inactive: [], note: unknown(location.userName, err).note as string };
  }
}

async function inspectSecret(location: TenantLocation, backend: Clients): Promise<{ state: ResourceState; bucket?: string }> {
  const name = location.secretName;
  try {
    const secret = await describeSecret(backend.secretsManager, name);
    if (!secret) return { state: { name, status: 'absent' } };
    if (!isTenantResource(secret.Tags, location.orgId)) return { state: { name, status: 'absent', note: `a secret of that name exists, but ${describeOwner(secret.Tags)}` } };
    if (secret.DeletedDate) return { state: { name, status: 'absent', note: `scheduled for deletion since ${secret.DeletedDate.toISOString()}` } };
    let bucket: string | undefined;
    try {
      const held = await readHeldAccessKey(backend.secretsManager, name);
      if (held.status === 'read') bucket = held.bucket;
    } catch {
      // Reading the value may be denied to an operator who may describe it: the bucket is then found otherwise.
    }
    return { state: { name, status: 'present', ...(secret.ARN ? { arn: secret.ARN } : {}) }, ...(bucket ? { bucket } : {}) };
  } catch (err) {
    return { state: unknown(name, err) };
  }
}

/** The first of `names` that is this account's bucket tagged for the org; a mismatch of the first known name is noted. */
async function inspectBucket(location: TenantLocation, names: string[], backend: Clients): Promise<ResourceState> {
  const s3 = backend.s3For(location.region);
  let note: string | undefined;
  for (const name of names) {
    let tags: Tag[] | undefined;
    try {
      tags = await bucketTagSet(s3, name, backend.accountId);
    } catch (err) {
      if (err instanceof NoSuchBucket) continue;
      const code = errorName(err) ?? '';
      if (NOT_OUR_BUCKET_ERRORS.has(code)) {
        note ??= `${name} exists, but it is not this account's bucket in ${location.region} (${code})`;
        continue;
      }
      return unknown(name, err);
    }
    if (isTenantResource(tags, location.orgId)) return { name, status: 'present', arn: bucketArn(name) };
    note ??= `${name} exists, but ${describeOwner(tags)}`;
  }
  return { name: names[0] ?? '', status: 'absent', ...(note ? { note } : {}) };
}

/** A prefix tenant's part of the shared bucket: present while the shared bucket is there, noting whether the prefix holds objects. */
async function inspectPrefix(location: TenantLocation, shared: { bucket: string; prefix: string }, backend: Clients): Promise<ResourceState> {
  const name = `s3://${shared.bucket}/${shared.prefix}`;
  const s3 = backend.s3For(location.region);
  const target = { Bucket: shared.bucket, ExpectedBucketOwner: backend.accountId };
  try {
    await s3.send(new HeadBucketCommand(target));
    const listing = await s3.send(new ListObjectsV2Command({ ...target, Prefix: shared.prefix, MaxKeys: 1 }));
    return { name, status: 'present', arn: bucketArn(shared.bucket), note: (listing.KeyCount ?? listing.Contents?.length ?? 0) > 0 ? 'a prefix of the shared bucket, holding objects' : 'a prefix of the shared bucket, empty' };
  } catch (err) {
    if (err instanceof NotFound || err instanceof NoSuchBucket) return { name, status: 'absent', note: `the shared bucket ${shared.bucket} does not exist` };
    return unknown(name, err);
  }
}

/** Looks at the tenant's bucket (a prefix tenant: its prefix), user, access keys and secret; marks each present, absent or unknown (with why). */
export async function inspectResources(location: TenantLocation, backend: Clients): Promise<TenantResources> {
  const [user, secret] = await Promise.all([inspectUser(location, backend), inspectSecret(location, backend)]);
  if (location.shared) {
    const [accessKeys, prefix] = await Promise.all([inspectKeys(location, user.state, backend), inspectPrefix(location, location.shared, backend)]);
    return { region: location.region, bucket: prefix, user: user.state, accessKeys, secret: secret.state };
  }
  const bucketNames = [...new Set([...(secret.bucket ? [secret.bucket] : []), ...(user.bucketTag ? [user.bucketTag] : []), ...location.bucketNames])];
  const [accessKeys, bucket] = await Promise.all([inspectKeys(location, user.state, backend), inspectBucket(location, bucketNames, backend)]);
  return { region: location.region, bucket, user: user.state, accessKeys, secret: secret.state };
}
