import { DescribeExecutionCommand, GetExecutionHistoryCommand, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SfnOperatorPort } from '../../../../cli/aws/sfn-operator-port';
import { at, describeOutput, doesNotExist, event, executionArn, history, PROVISION_MACHINE, TEARDOWN_MACHINE } from '../support';

const sfnMock = mockClient(SFNClient);
const ARN = executionArn('teardown', 'acme-g1-teardown');
const port = () => new SfnOperatorPort(new SFNClient({}), { provision: PROVISION_MACHINE, teardown: TEARDOWN_MACHINE }, 0, async () => undefined);

beforeEach(() => sfnMock.reset());

describe('SfnOperatorPort', () => {
  it("describes an execution with its redrive status and, when it failed, the state it failed in (read from the history's end, across pages)", async () => {
    sfnMock.on(DescribeExecutionCommand).resolves(describeOutput('teardown', 'acme-g1-teardown', { status: 'FAILED', stopDate: at(9), error: 'E', redriveCount: 2, redriveDate: at(5), redriveStatus: 'REDRIVABLE' }));
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: history(event.failed(9, 'E', 'c'), event.lambdaFailed(9, 'E', 'c')), nextToken: 'older' });
    sfnMock.on(GetExecutionHistoryCommand, { nextToken: 'older' }).resolves({ events: history(event.scheduled(8), event.entered(8, 'Task', 'DeleteTenantBucket')) });

    const record = await port().describe('teardown', 'acme-g1-teardown');

    expect(record).toMatchObject({ status: 'FAILED', redriveCount: 2, redriveDate: at(5), redriveStatus: 'REDRIVABLE', redriveFrom: 'failed-state', failedState: 'DeleteTenantBucket', failedStateType: 'Task' });
    expect(sfnMock).toHaveReceivedCommandWith(GetExecutionHistoryCommand, { executionArn: ARN, reverseOrder: true, includeExecutionData: false, nextToken: 'older' });
  });

  it('returns undefined for an execution that does not exist, and no history for it', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(doesNotExist());
    sfnMock.on(GetExecutionHistoryCommand).rejects(doesNotExist());

    await expect(port().describe('provision', 'org-nobody')).resolves.toBeUndefined();
    await expect(port().history('provision', 'org-nobody')).resolves.toBeUndefined();
  });

  it('redrives with the clientToken and resumes at the failed state', async () => {
    sfnMock.on(RedriveExecutionCommand).resolves({ redriveDate: at(30) });

    await expect(port().redrive('teardown', 'acme-g1-teardown', { clientToken: 'tenantctl-abc' })).resolves.toEqual({ executionArn: ARN, redriveDate: at(30), redriveFrom: 'failed-state' });
    expect(sfnMock).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: ARN, clientToken: 'tenantctl-abc' });
  });

  it('waits until the execution is no longer running', async () => {
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce(describeOutput('teardown', 'acme-g1-teardown', { status: 'RUNNING' }))
      .resolvesOnce(describeOutput('teardown', 'acme-g1-teardown', { status: 'PENDING_REDRIVE' }))
      .resolves(describeOutput('teardown', 'acme-g1-teardown', { status: 'SUCCEEDED', stopDate: at(3) }));

    await expect(port().waitFor('teardown', 'acme-g1-teardown')).resolves.toMatchObject({ status: 'SUCCEEDED' });
    expect(sfnMock).toHaveReceivedCommandTimes(DescribeExecutionCommand, 3);
  });
});
