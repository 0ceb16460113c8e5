import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type Put,
  type Update,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { LIVE_COUNTER_KEY, type TenantLedgerItem } from './model';
import { assertLedgerItem, type LedgerListOptions, type LedgerStore, type LedgerWriteOutcome } from './store';

/** The table's key attribute (serverless.yml, local/stack.ts). */
export const LEDGER_KEY = 'slug';

/** A stage's ledger table, as serverless.yml names it: `tenant-provisioner-<stage>-tenants`. */
export function ledgerTableName(stage: string): string {
  return `tenant-provisioner-${stage}-tenants`;
}
const LIVE_ATTRIBUTE = 'liveTenants';

const toItem = (item: TenantLedgerItem): Record<string, AttributeValue> => marshall(item, { removeUndefinedValues: true });

/**
 * The tenant ledger in DynamoDB: one item per tenant slug, plus one counter item
 * (`#live-tenants`). A write is a PutItem conditioned on the version read; when the live count
 * moves, the put and the counter's update are one TransactWriteItems, the +1 conditioned on the
 * count being under the quota.
 */
export class DynamoLedgerStore implements LedgerStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(slug: string): Promise<TenantLedgerItem | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: { [LEDGER_KEY]: { S: slug } }, ConsistentRead: true }));
    if (!Item) return undefined;
    const item = unmarshall(Item);
    assertLedgerItem(item, `${slug} in ${this.tableName}`);
    return item;
  }

  async write(next: TenantLedgerItem, expectedVersion: number | undefined, liveDelta: -1 | 0 | 1, quota?: number): Promise<LedgerWriteOutcome> {
    if (next.slug === LIVE_COUNTER_KEY) throw new Error(`${LIVE_COUNTER_KEY} is not a tenant`);
    const put: Put = {
      TableName: this.tableName,
      Item: toItem(next),
      ...(expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': LEDGER_KEY } }
        : { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': { N: String(expectedVersion) } } }),
    };
    if (liveDelta === 0) {
      try {
        await this.dynamodb.send(new PutItemCommand(put));
        return 'written';
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return 'conflict';
        throw err;
      }
    }
    const limited = liveDelta > 0 && quota !== undefined;
    const counter: Update = {
      TableName: this.tableName,
      Key: { [LEDGER_KEY]: { S: LIVE_COUNTER_KEY } },
      UpdateExpression: 'ADD #live :delta',
      ExpressionAttributeNames: { '#live': LIVE_ATTRIBUTE },
      ExpressionAttributeValues: { ':delta': { N: String(liveDelta) }, ...(limited ? { ':quota': { N: String(quota) } } : {}) },
      ...(limited ? { ConditionExpression: 'attribute_not_exists(#live) OR #live < :quota' } : {}),
    };
    try {
      await this.dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: put }, { Update: counter }] }));
      return 'written';
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const [item, count] = err.CancellationReasons ?? [];
      if (item?.Code === 'ConditionalCheckFailed') return 'conflict';
      if (count?.Code === 'ConditionalCheckFailed') return 'quota-exceeded';
      // Another transaction on the same item was in flight: as good as a lost race.
      if (item?.Code === 'TransactionConflict' || count?.Code === 'TransactionConflict') return 'conflict';
      throw err;
    }
  }

  async liveTenants(): Promise<number> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: { [LEDGER_KEY]: { S: LIVE_COUNTER_KEY } }, ConsistentRead: true }),
    );
    const count = Item?.[LIVE_ATTRIBUTE]?.N;
    return count === undefined ? 0 : Number(count);
  }

  async *list(options: LedgerListOptions = {}): AsyncIterable<TenantLedgerItem> {
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }));
      for (const raw of page.Items ?? []) {
        if (raw[LEDGER_KEY]?.S === LIVE_COUNTER_KEY) continue;
        const item = unmarshall(raw);
        assertLedgerItem(item, `${String(item[LEDGER_KEY])} in ${this.tableName}`);
        if (!options.states || options.states.includes(item.state)) yield item;
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}
