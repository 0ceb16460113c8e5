/**
 * What the tenant ledger relies on, held on the emulator: of two conditional writes of one
 * DynamoDB item sent at the same moment, exactly one succeeds (on AWS a conditional write is
 * atomic for its item). moto's own server handles each request on a thread of its own with no
 * lock around the condition and the write, and let both succeed in about 1 of 300 such pairs
 * (measured 2, 3 and 5 of 800, 7 of 2,000), or answered one of them with an internal error page
 * (as it did when this test was run against it); local/moto_server.py serves one request at a
 * time, and does neither. The pairs are the
 * ledger's own: the first write of a tenant (a TransactWriteItems with the live-tenant counter)
 * against a tombstone (a conditional PutItem).
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import { LOCAL_REGION } from '../../local/stack';
import { ENDPOINT_FILE } from './emulator-endpoint';

const TABLE = `atomicity-${Date.now().toString(36)}`;
const PAIRS = 800;
const AT_ONCE = 16;

// Two clients, as the router and another function each have their own.
const client = () =>
  new DynamoDBClient({ endpoint: readFileSync(ENDPOINT_FILE, 'utf8').trim(), region: LOCAL_REGION, credentials: { accessKeyId: 'local-emulator', secretAccessKey: 'local-emulator' } });
const first = client();
const second = client();

beforeAll(async () => {
  await first.send(
    new CreateTableCommand({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'slug', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'slug', KeyType: 'HASH' }] }),
  );
  await waitUntilTableExists({ client: first, maxWaitTime: 30 }, { TableName: TABLE });
});
afterAll(async () => {
  await first.send(new DeleteTableCommand({ TableName: TABLE })).catch(() => undefined);
});

const succeeded = (write: Promise<unknown>) =>
  write.then(
    () => 1,
    (err: Error) => {
      if (err.name === 'ConditionalCheckFailedException' || err.name === 'TransactionCanceledException') return 0;
      throw err;
    },
  );

describe('the emulator', () => {
  it(`lets exactly one of two conditional writes of an item succeed, in each of ${PAIRS} pairs sent at the same moment`, async () => {
    const winners: number[] = [];
    for (let batch = 0; batch < PAIRS / AT_ONCE; batch++) {
      const slugs = Array.from({ length: AT_ONCE }, (_, i) => `t-${batch}-${i}`);
      winners.push(
        ...(await Promise.all(
          slugs.map(async (slug) => {
            const notYet = { ConditionExpression: 'attribute_not_exists(slug)' };
            const [created, tombstoned] = await Promise.all([
              succeeded(
                first.send(
                  new TransactWriteItemsCommand({
                    TransactItems: [
                      { Put: { TableName: TABLE, Item: { slug: { S: slug }, state: { S: 'provisioning' } }, ...notYet } },
                      { Update: { TableName: TABLE, Key: { slug: { S: '#live' } }, UpdateExpression: 'ADD live :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
                    ],
                  }),
                ),
              ),
              succeeded(second.send(new PutItemCommand({ TableName: TABLE, Item: { slug: { S: slug }, state: { S: 'deleted' } }, ...notYet }))),
            ]);
            return created + tombstoned;
          }),
        )),
      );
    }
    expect(winners.filter((count) => count !== 1)).toEqual([]);
    expect(winners).toHaveLength(PAIRS);
  }, 120_000);
});
