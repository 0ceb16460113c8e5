import { DeleteAccessKeyCommand, paginateListAccessKeys, type AccessKeyMetadata, type IAMClient } from '@aws-sdk/client-iam';
import { collect, removeIfPresent } from './iam-user';

/** Every access key of an IAM user, active or not. Throws NoSuchEntityException when the user does not exist. */
export async function listAccessKeys(client: IAMClient, userName: string): Promise<AccessKeyMetadata[]> {
  return collect(paginateListAccessKeys({ client }, { UserName: userName }), (page) => page.AccessKeyMetadata);
}

/** Deletes one access key of an IAM user; false when it (or the user) was already gone. */
export async function deleteAccessKey(client: IAMClient, userName: string, accessKeyId: string): Promise<boolean> {
  return removeIfPresent(() => client.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId })));
}
