import { DeleteAccessKeyCommand, NoSuchEntityException, paginateListAccessKeys, type AccessKeyMetadata, type IAMClient } from '@aws-sdk/client-iam';

/** Every access key of an IAM user, active or not. Throws NoSuchEntityException when the user does not exist. */
export async function listAccessKeys(client: IAMClient, userName: string): Promise<AccessKeyMetadata[]> {
  const keys: AccessKeyMetadata[] = [];
  for await (const page of paginateListAccessKeys({ client }, { UserName: userName })) keys.push(...(page.AccessKeyMetadata ?? []));
  return keys;
}

/** Deletes one access key of an IAM user; false when it (or the user) was already gone. */
export async function deleteAccessKey(client: IAMClient, userName: string, accessKeyId: string): Promise<boolean> {
  try {
    await client.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }));
    return true;
  } catch (err) {
    if (err instanceof NoSuchEntityException) return false;
    throw err;
  }
}
