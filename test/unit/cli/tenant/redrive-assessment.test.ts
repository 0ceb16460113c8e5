import type { ExecutionRecord } from '../../../../functions/lib/executions';
import type { TenantGeneration } from '../../../../cli/tenant/generations';
import { assessRedrive } from '../../../../cli/tenant/redrive-assessment';
import { at } from '../support';

const record = (fields: Partial<ExecutionRecord>): ExecutionRecord => ({
  workflow: 'provision',
  name: 'org-acme',
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-dev-provision-tenant:org-acme',
  status: 'FAILED',
  input: { orgId: 'Acme' },
  startDate: at(0),
  stopDate: at(10),
  redriveStatus: 'REDRIVABLE',
  ...fields,
});
const generation = (fields: Partial<TenantGeneration>): TenantGeneration => ({ generation: 1, name: 'org-acme', ...fields });

describe('assessRedrive', () => {
  it('allows a provisioning that gave up at a Task, in the latest generation, within the window', () => {
    const failed = record({ failedState: 'ApplyTenantBucketPolicy', failedStateType: 'Task' });
    expect(assessRedrive(failed, 'Acme', [generation({ provision: failed })])).toEqual({ redrivable: true });
  });

  it('refuses what Step Functions reports NOT_REDRIVABLE, with its reason and the new generation instead', () => {
    const old = record({ failedStateType: 'Task', redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution ended more than 14 days ago' });
    expect(assessRedrive(old, 'Acme', [generation({ provision: old })])).toEqual({
      redrivable: false,
      reason: 'Step Functions will not redrive it: Execution ended more than 14 days ago',
      suggestion: 'tenantctl provision Acme --new-generation',
    });
  });

  it('refuses a provisioning the router stopped because the org was deleted, and one whose teardown followed', () => {
    const stopped = record({ status: 'ABORTED', error: 'OrgDeleted' });
    expect(assessRedrive(stopped, 'Acme', [generation({ provision: stopped })])).toMatchObject({ redrivable: false, reason: 'the router stopped it because the organisation was deleted; its teardown follows' });

    const failed = record({ failedStateType: 'Task' });
    const teardown = record({ workflow: 'teardown', status: 'RUNNING' });
    expect(assessRedrive(failed, 'Acme', [generation({ provision: failed, teardown })])).toMatchObject({
      redrivable: false,
      reason: "the tenant's teardown org-acme (RUNNING) came after it: a redrive would provision what is being deleted",
    });
  });

  it('refuses a teardown rejected in its Fail state: nothing was touched', () => {
    const rejected = record({ workflow: 'teardown', failedState: 'TeardownRejected', failedStateType: 'Fail', error: 'InvalidOrgIdError' });
    expect(assessRedrive(rejected, 'Acme', [generation({ teardown: rejected })])).toMatchObject({
      redrivable: false,
      reason: 'it ended in its Fail state TeardownRejected (InvalidOrgIdError): its input was rejected and nothing was touched, so a redrive would fail the same way',
    });
  });

  it('refuses what is not failed', () => {
    expect(assessRedrive(record({ status: 'SUCCEEDED' }), 'Acme', [])).toEqual({ redrivable: false, reason: 'it is SUCCEEDED; only a failed, timed-out or aborted execution can be redriven' });
  });
});
