import { DynamoDBClient, GetItemCommand, PutItemCommand, ResourceNotFoundException, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LocalLedgerReader } from '../../../../cli/local/ledger';
import { DynamoLedgerStore } from '../../../../functions/lib/ledger/dynamo-store';
import { createWorld } from '../world';

const dynamoMock = mockClient(DynamoDBClient);
const missingTable = () => new ResourceNotFoundException({ $metadata: {}, message: 'Requested resource not found' });
const reader = () => new LocalLedgerReader(new DynamoLedgerStore(new DynamoDBClient({ region: 'us-east-1' }), 'tenant-provisioner-local-tenants'));

beforeEach(() => dynamoMock.reset());

describe('LocalLedgerReader', () => {
  it('reads a missing table (a fresh emulator, before the local stack is applied) as an empty ledger', async () => {
    dynamoMock.on(GetItemCommand).rejects(missingTable());
    dynamoMock.on(ScanCommand).rejects(missingTable());
    const ledger = reader();

    await expect(ledger.get('acme')).resolves.toBeUndefined();
    await expect(ledger.liveTenants()).resolves.toBe(0);
    const listed = [];
    for await (const item of ledger.list()) listed.push(item);
    expect(listed).toEqual([]);
    expect(dynamoMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: 'tenant-provisioner-local-tenants' });
  });

  it('passes other errors, and every write, through', async () => {
    dynamoMock.on(GetItemCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    dynamoMock.on(PutItemCommand).rejects(missingTable());
    const ledger = reader();
    const item = await createWorld().provisioned('Acme');

    await expect(ledger.get('acme')).rejects.toThrow('denied');
    await expect(ledger.write(item, item.version - 1, 0, 5000)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
