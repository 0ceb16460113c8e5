import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoLedgerStore, LEDGER_KEY } from '../../../../../functions/lib/ledger/dynamo-store';
import { LIVE_COUNTER_KEY, type TenantLedgerItem, type TenantState } from '../../../../../functions/lib/ledger/model';
import { FakeLedgerTable } from '../../../../support/fake-aws';

const dynamoMock = mockClient(DynamoDBClient);
const TABLE = 'tenant-provisioner-test-tenants';
const store = new DynamoLedgerStore(new DynamoDBClient({}), TABLE);
const meta = { $metadata: {} };
const AT = '2026-12-01T10:00:00.000Z';

function ledgerItem(overrides: Partial<TenantLedgerItem> = {}): TenantLedgerItem {
  return {
    slug: 'acme-bistro-42',
    orgId: 'Acme-Bistro-42',
    tenancy: 'bucket',
    generation: 1,
    state: 'provisioning',
    region: 'us-east-1',
    resources: { userName: 'rms_acme-bistro-42', secretName: 'fusion-rms/acme-bistro-42/credentials' },
    teardowns: 0,
    restores: 0,
    createdAt: AT,
    updatedAt: AT,
    stateSince: AT,
    version: 1,
    history: [{ at: AT, from: null, to: 'provisioning', by: 'OrgCreated e1', reason: 'OrgCreated: first provisioning' }],
    ...overrides,
  };
}

const raw = (item: Partial<TenantLedgerItem> | Record<string, unknown>) => marshall(item, { removeUndefinedValues: true });
const canceled = (...codes: string[]) =>
  new TransactionCanceledException({ ...meta, message: `Transaction cancelled [${codes.join(', ')}]`, CancellationReasons: codes.map((Code) => ({ Code })) });
const transaction = () => dynamoMock.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input.TransactItems ?? [];

beforeEach(() => dynamoMock.reset());

describe('DynamoLedgerStore', () => {
  describe('get', () => {
    it("reads the tenant's item strongly consistently by its slug", async () => {
      dynamoMock.on(GetItemCommand).resolves({ Item: raw(ledgerItem()) });

      await expect(store.get('acme-bistro-42')).resolves.toEqual(ledgerItem());
      expect(dynamoMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE, Key: { [LEDGER_KEY]: { S: 'acme-bistro-42' } }, ConsistentRead: true });
    });

    it('answers undefined when the ledger has no item for the tenant', async () => {
      dynamoMock.on(GetItemCommand).resolves({});

      await expect(store.get('acme-bistro-42')).resolves.toBeUndefined();
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['an unknown state', { ...ledgerItem(), state: 'archived' }, 'has an unknown state "archived"'],
      ['no orgId', { ...ledgerItem(), orgId: undefined }, 'has no orgId'],
      ['no version', { ...ledgerItem(), version: undefined }, 'has no version or generation'],
      ['a history that is not a list', { ...ledgerItem(), history: 'none' }, 'has no history'],
    ])('fails loudly, naming the item and the table, for an item with %s', async (_label, item, problem) => {
      dynamoMock.on(GetItemCommand).resolves({ Item: raw(item) });

      await expect(store.get('acme-bistro-42')).rejects.toThrow(`The tenant ledger item acme-bistro-42 in ${TABLE} ${problem}`);
    });

    it('rethrows a DynamoDB error untouched', async () => {
      const error = new InternalServerError({ ...meta, message: 'Internal server error' });
      dynamoMock.on(GetItemCommand).rejects(error);

      await expect(store.get('acme-bistro-42')).rejects.toBe(error);
    });
  });

  describe('write without a change to the live count', () => {
    it('puts the item only when the stored version is the one read', async () => {
      dynamoMock.on(PutItemCommand).resolves({});
      const next = ledgerItem({ state: 'active', version: 4 });

      await expect(store.write(next, 3, 0, 5000)).resolves.toBe('written');

      expect(dynamoMock).toHaveReceivedCommandTimes(PutItemCommand, 1);
      expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
        TableName: TABLE,
        Item: raw(next),
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': { N: '3' } },
      });
      expect(dynamoMock).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
    });

    it('puts a first item only when there is none (a tombstone of an unknown org)', async () => {
      dynamoMock.on(PutItemCommand).resolves({});

      await expect(store.write(ledgerItem({ state: 'deleted', generation: 0 }), undefined, 0, 5000)).resolves.toBe('written');

      expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, { ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': LEDGER_KEY } });
      expect(dynamoMock.commandCalls(PutItemCommand)[0]?.args[0].input).not.toHaveProperty('ExpressionAttributeValues');
    });

    it('leaves undefined fields out of the item (a cleared parking, a teardown not yet recorded)', async () => {
      dynamoMock.on(PutItemCommand).resolves({});

      await store.write(ledgerItem({ parked: undefined, teardown: undefined }), 1, 0, 5000);

      const item = dynamoMock.commandCalls(PutItemCommand)[0]?.args[0].input.Item ?? {};
      expect(Object.keys(item)).not.toContain('parked');
      expect(Object.keys(item)).not.toContain('teardown');
    });

    it('answers conflict when the condition fails: someone else wrote first', async () => {
      dynamoMock.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' }));

      await expect(store.write(ledgerItem({ version: 2 }), 1, 0, 5000)).resolves.toBe('conflict');
    });

    it('rethrows any other error untouched', async () => {
      const throttled = new ProvisionedThroughputExceededException({ ...meta, message: 'Throughput exceeds the current capacity' });
      dynamoMock.on(PutItemCommand).rejects(throttled);

      await expect(store.write(ledgerItem({ version: 2 }), 1, 0, 5000)).rejects.toBe(throttled);
    });

    it('refuses to write the live counter as if it were a tenant, without calling DynamoDB', async () => {
      await expect(store.write(ledgerItem({ slug: LIVE_COUNTER_KEY }), 1, 0, 5000)).rejects.toThrow(`${LIVE_COUNTER_KEY} is not a tenant`);
      expect(dynamoMock.calls()).toHaveLength(0);
    });
  });

  describe('write that changes the live count', () => {
    it('puts the item and adds 1 to the counter in one transaction, the +1 conditioned on the quota', async () => {
      dynamoMock.on(TransactWriteItemsCommand).resolves({});
      const next = ledgerItem();

      await expect(store.write(next, undefined, 1, 5000)).resolves.toBe('written');

      expect(dynamoMock).toHaveReceivedCommandTimes(PutItemCommand, 0);
      expect(transaction()).toEqual([
        { Put: { TableName: TABLE, Item: raw(next), ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': LEDGER_KEY } } },
        {
          Update: {
            TableName: TABLE,
            Key: { [LEDGER_KEY]: { S: LIVE_COUNTER_KEY } },
            UpdateExpression: 'ADD #live :delta',
            ExpressionAttributeNames: { '#live': 'liveTenants' },
            ExpressionAttributeValues: { ':delta': { N: '1' }, ':quota': { N: '5000' } },
            ConditionExpression: 'attribute_not_exists(#live) OR #live < :quota',
          },
        },
      ]);
    });

    it('subtracts 1 without a condition: a tenant can always stop being live', async () => {
      dynamoMock.on(TransactWriteItemsCommand).resolves({});

      await expect(store.write(ledgerItem({ state: 'deleted', version: 6 }), 5, -1, 5000)).resolves.toBe('written');

      const [put, counter] = transaction();
      expect(put?.Put).toMatchObject({ ConditionExpression: '#version = :version', ExpressionAttributeValues: { ':version': { N: '5' } } });
      expect(counter?.Update).toMatchObject({ UpdateExpression: 'ADD #live :delta', ExpressionAttributeValues: { ':delta': { N: '-1' } } });
      expect(counter?.Update).not.toHaveProperty('ConditionExpression');
      expect(counter?.Update?.ExpressionAttributeValues).not.toHaveProperty(':quota');
    });

    it.each<[string, string[], 'conflict' | 'quota-exceeded']>([
      ['the item\'s condition failed', ['ConditionalCheckFailed', 'None'], 'conflict'],
      ['only the quota\'s condition failed', ['None', 'ConditionalCheckFailed'], 'quota-exceeded'],
      ['both failed (the item is stale, so the quota is decided again)', ['ConditionalCheckFailed', 'ConditionalCheckFailed'], 'conflict'],
      ['another transaction held the item', ['TransactionConflict', 'None'], 'conflict'],
      ['another transaction held the counter', ['None', 'TransactionConflict'], 'conflict'],
    ])('reads a cancelled transaction where %s as %s', async (_label, codes, outcome) => {
      dynamoMock.on(TransactWriteItemsCommand).rejects(canceled(...codes));

      await expect(store.write(ledgerItem(), undefined, 1, 5000)).resolves.toBe(outcome);
    });

    it.each([
      ['a throttled item', ['ThrottlingError', 'None']],
      ['a validation error', ['ValidationError', 'None']],
      ['no reasons', []],
    ])('rethrows a cancelled transaction with %s untouched', async (_label, codes) => {
      const error = canceled(...codes);
      dynamoMock.on(TransactWriteItemsCommand).rejects(error);

      await expect(store.write(ledgerItem(), undefined, 1, 5000)).rejects.toBe(error);
    });

    it('rethrows an error that is not a cancelled transaction untouched', async () => {
      const error = new InternalServerError({ ...meta, message: 'Internal server error' });
      dynamoMock.on(TransactWriteItemsCommand).rejects(error);

      await expect(store.write(ledgerItem(), undefined, 1, 5000)).rejects.toBe(error);
    });
  });

  describe('liveTenants', () => {
    it('reads the counter item strongly consistently', async () => {
      dynamoMock.on(GetItemCommand).resolves({ Item: { [LEDGER_KEY]: { S: LIVE_COUNTER_KEY }, liveTenants: { N: '4999' } } });

      await expect(store.liveTenants()).resolves.toBe(4999);
      expect(dynamoMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE, Key: { [LEDGER_KEY]: { S: LIVE_COUNTER_KEY } }, ConsistentRead: true });
    });

    it('is 0 before any tenant was live', async () => {
      dynamoMock.on(GetItemCommand).resolves({});

      await expect(store.liveTenants()).resolves.toBe(0);
    });
  });

  describe('list', () => {
    const counter = { [LEDGER_KEY]: { S: LIVE_COUNTER_KEY }, liveTenants: { N: '2' } };
    const item = (slug: string, state: TenantState) => raw(ledgerItem({ slug, orgId: slug, state }));
    const all = async (states?: TenantState[]) => {
      const slugs: string[] = [];
      for await (const found of store.list(states ? { states } : {})) slugs.push(found.slug);
      return slugs;
    };

    it('reads every page, skipping the counter item', async () => {
      const lastKey = { [LEDGER_KEY]: { S: 'b' } };
      dynamoMock.on(ScanCommand).resolvesOnce({ Items: [item('a', 'active'), counter, item('b', 'deleted')], LastEvaluatedKey: lastKey }).resolvesOnce({ Items: [item('c', 'retained')] });

      await expect(all()).resolves.toEqual(['a', 'b', 'c']);

      expect(dynamoMock).toHaveReceivedCommandTimes(ScanCommand, 2);
      expect(dynamoMock.commandCalls(ScanCommand)[0]?.args[0].input).toEqual({ TableName: TABLE, ConsistentRead: true });
      expect(dynamoMock.commandCalls(ScanCommand)[1]?.args[0].input).toEqual({ TableName: TABLE, ConsistentRead: true, ExclusiveStartKey: lastKey });
    });

    it('yields only the tenants in the states asked for', async () => {
      dynamoMock.on(ScanCommand).resolves({ Items: [item('a', 'active'), item('b', 'deleted'), item('c', 'retained'), counter] });

      await expect(all(['retained', 'active'])).resolves.toEqual(['a', 'c']);
    });

    it('fails loudly on a corrupted item instead of skipping it', async () => {
      dynamoMock.on(ScanCommand).resolves({ Items: [item('a', 'active'), raw({ slug: 'b', orgId: 'b', state: 'gone', version: 1, generation: 1, history: [] })] });

      await expect(all()).rejects.toThrow(`The tenant ledger item b in ${TABLE} has an unknown state "gone"`);
    });
  });

  describe('against the modelled ledger table (test/support/fake-aws.ts)', () => {
    let table: FakeLedgerTable;
    beforeEach(() => {
      table = new FakeLedgerTable(TABLE).serve(dynamoMock);
    });

    it('lets exactly one of two writers that read the same version win', async () => {
      await store.write(ledgerItem(), undefined, 1, 5000);

      const outcomes = await Promise.all([store.write(ledgerItem({ state: 'active', version: 2 }), 1, 0, 5000), store.write(ledgerItem({ state: 'revoking', version: 2 }), 1, 0, 5000)]);

      expect(outcomes.sort()).toEqual(['conflict', 'written']);
      expect(table.get('acme-bistro-42')?.version).toBe(2);
    });

    it('refuses the tenant that would go past the quota, and keeps the count', async () => {
      await expect(store.write(ledgerItem({ slug: 'a', orgId: 'a' }), undefined, 1, 2)).resolves.toBe('written');
      await expect(store.write(ledgerItem({ slug: 'b', orgId: 'b' }), undefined, 1, 2)).resolves.toBe('written');

      await expect(store.write(ledgerItem({ slug: 'c', orgId: 'c' }), undefined, 1, 2)).resolves.toBe('quota-exceeded');

      expect(table.get('c')).toBeUndefined();
      await expect(store.liveTenants()).resolves.toBe(2);
      await expect(store.write(ledgerItem({ slug: 'a', orgId: 'a', state: 'deleted', version: 2 }), 1, -1, 2)).resolves.toBe('written');
      await expect(store.write(ledgerItem({ slug: 'c', orgId: 'c' }), undefined, 1, 2)).resolves.toBe('written');
      await expect(store.liveTenants()).resolves.toBe(2);
    });
  });
});
