import { DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { TenantLedgerItem } from '../../../../functions/lib/ledger/model';
import { tenantctl } from '../support';
import { createWorld } from '../world';

const dynamoMock = mockClient(DynamoDBClient);
const sfnMock = mockClient(SFNClient);
mockClient(EventBridgeClient);

const MACHINE = (workflow: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:tenant-provisioner-dev-${workflow}-tenant`;
const retained = (): Promise<TenantLedgerItem> => createWorld('aws').retained('Acme');

beforeEach(() => {
  dynamoMock.reset();
  sfnMock.reset();
});

describe('the AWS backend', () => {
  it("applies `restore` to the stage's ledger with the operator's credentials: a conditional write, then the teardown stopped and the restore-tenant machine started", async () => {
    const item = await retained();
    dynamoMock.on(GetItemCommand).resolves({ Item: marshall(item, { removeUndefinedValues: true }) });
    dynamoMock.on(PutItemCommand).resolves({});
    sfnMock.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE('restore').replace(':stateMachine:', ':execution:')}:acme-g1-restore`, startDate: new Date() });

    const run = await tenantctl(['restore', 'Acme', '--no-wait']);

    expect(run.code).toBe(0);
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'tenant-provisioner-dev-tenants',
      ConditionExpression: '#version = :version',
      ExpressionAttributeValues: { ':version': { N: String(item.version) } },
    });
    expect(sfnMock).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: item.teardown?.arn, error: 'OrgRestored' });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: MACHINE('restore'), name: 'acme-g1-restore' });
    expect(run.stdout).toContain('  started: restore-tenant acme-g1-restore\n  not following it (--no-wait): tenantctl status Acme\n');
  });

  it('lists the table TENANT_PROVISIONER_LEDGER_TABLE names, without the live-tenant counter', async () => {
    const item = await retained();
    dynamoMock.on(ScanCommand).resolves({ Items: [marshall(item, { removeUndefinedValues: true }), { slug: { S: '#live-tenants' }, liveTenants: { N: '1' } }] });

    const run = await tenantctl(['list', '--json'], { TENANT_PROVISIONER_LEDGER_TABLE: 'ledger-blue' });

    expect(run.code).toBe(0);
    expect(dynamoMock).toHaveReceivedCommandWith(ScanCommand, { TableName: 'ledger-blue' });
    expect(run.json().tenants).toEqual([expect.objectContaining({ orgId: 'Acme', state: 'retained' })]);
  });

  it('decides with the stage parameters an operator gives (TENANT_PROVISIONER_*), and names a malformed one (exit 2)', async () => {
    dynamoMock.on(GetItemCommand).resolves({});

    const allowed = await tenantctl(['provision', 'Acme', '--region', 'eu-west-1', '--no-wait'], { TENANT_PROVISIONER_ALLOWED_REGIONS: 'us-east-1,eu-west-1' });
    const bad = await tenantctl(['list'], { TENANT_PROVISIONER_BUCKET_PREFIX: 'Not_A_Prefix' });

    expect(allowed.code).not.toBe(2);
    expect(allowed.stderr).not.toContain('is not allowed');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^tenantctl: TENANT_PROVISIONER_BUCKET_PREFIX="Not_A_Prefix" is invalid: /);
  });
});
