import { GetUserCommand, NoSuchEntityException, type IAMClient, type User } from '@aws-sdk/client-iam';

/** An IAM user, or undefined when there is none of that name. */
export async function getUser(client: IAMClient, userName: string): Promise<User | undefined> {
  try {
    return (await client.send(new GetUserCommand({ UserName: userName }))).User;
  } catch (err) {
    if (err instanceof NoSuchEntityException) return undefined;
    throw err;
  }
}

/** Runs an IAM call whose target may already be gone; reports whether it removed something. */
export async function removeIfPresent(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (err) {
    if (err instanceof NoSuchEntityException) return false;
    throw err;
  }
}

/** Every item of every page. */
export async function collect<TPage, TItem>(pages: AsyncIterable<TPage>, items: (page: TPage) => TItem[] | undefined): Promise<TItem[]> {
  const all: TItem[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}
