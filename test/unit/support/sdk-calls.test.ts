import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { LocalExecutionPort } from '../../../local/executions';
import { currentFunction, functionKeyOfResource, runAsFunction, runOutsideFunctions } from '../../../local/function-scope';
import { STEP_CALLS } from '../../security/support/step-calls';
import { iamActionsOf } from '../../support/sdk-calls/iam-actions';
import { observeLocalExecutionPort, observeSdkSends } from '../../support/sdk-calls/install';
import { checkRecordedCalls, explainFindings, SdkCallRecording, unexercisedActions, type AllowedCalls } from '../../support/sdk-calls/recording';

const ALLOWED: AllowedCalls = {
  createTenantBucket: [{ action: 's3:CreateBucket' }, { action: 's3:PutBucketOwnershipControls' }, { action: 's3:ListBucket' }],
  publishOrgProvisioned: [{ action: 'events:PutEvents' }],
};

function recordingOf(...sent: { functionKey?: string; operation: string; input?: unknown }[]): SdkCallRecording {
  const recording = new SdkCallRecording();
  for (const call of sent) recording.record({ functionKey: call.functionKey, operation: call.operation, input: call.input ?? {}, test: 'a test' });
  return recording;
}

describe('checkRecordedCalls', () => {
  it('finds nothing when every call needs only actions listed for its function', () => {
    const recording = recordingOf(
      { functionKey: 'createTenantBucket', operation: 'S3.CreateBucket', input: { Bucket: 'b', ObjectOwnership: 'BucketOwnerEnforced' } },
      { functionKey: 'createTenantBucket', operation: 'S3.HeadBucket' },
      { functionKey: 'publishOrgProvisioned', operation: 'EventBridge.PutEvents' },
    );
    expect(checkRecordedCalls(recording.functionCalls(), ALLOWED)).toEqual([]);
  });

  it('reports exactly the action a call needs that its function does not list', () => {
    // CreateBucket with tags needs s3:TagResource too, which ALLOWED does not give createTenantBucket.
    const recording = recordingOf(
      { functionKey: 'createTenantBucket', operation: 'S3.CreateBucket', input: { Bucket: 'b', ObjectOwnership: 'BucketOwnerEnforced', CreateBucketConfiguration: { Tags: [{ Key: 'OrgId', Value: 'a' }] } } },
      { functionKey: 'createTenantBucket', operation: 'S3.HeadBucket' },
    );
    expect(checkRecordedCalls(recording.functionCalls(), ALLOWED)).toEqual([
      { problem: 'unlisted-action', functionKey: 'createTenantBucket', operation: 'S3.CreateBucket', action: 's3:TagResource', tests: ['a test'] },
    ]);
  });

  it('reports an action listed for another function only, under the function that sent it', () => {
    const recording = recordingOf({ functionKey: 'publishOrgProvisioned', operation: 'S3.HeadBucket' });
    expect(checkRecordedCalls(recording.functionCalls(), ALLOWED)).toEqual([
      { problem: 'unlisted-action', functionKey: 'publishOrgProvisioned', operation: 'S3.HeadBucket', action: 's3:ListBucket', tests: ['a test'] },
    ]);
  });

  it('reports a command the mapping does not know, whatever the function lists', () => {
    const recording = recordingOf({ functionKey: 'createTenantBucket', operation: 'S3.PutBucketLifecycleConfiguration' });
    expect(checkRecordedCalls(recording.functionCalls(), ALLOWED)).toEqual([
      { problem: 'unmapped-command', functionKey: 'createTenantBucket', operation: 'S3.PutBucketLifecycleConfiguration', tests: ['a test'] },
    ]);
  });

  it('reports a function that has no entry at all', () => {
    const recording = recordingOf({ functionKey: 'rotateTenantKey', operation: 'IAM.CreateAccessKey' });
    expect(checkRecordedCalls(recording.functionCalls(), ALLOWED)).toEqual([
      { problem: 'unknown-function', functionKey: 'rotateTenantKey', operation: 'IAM.CreateAccessKey', tests: ['a test'] },
    ]);
  });

  it('does not check calls made outside any function', () => {
    const recording = recordingOf({ operation: 'IAM.CreatePolicy' }, { operation: 'S3.PutBucketLifecycleConfiguration' });
    expect(recording.functionCalls()).toEqual([]);
    expect(recording.unattributed()).toEqual({ 'IAM.CreatePolicy': 1, 'S3.PutBucketLifecycleConfiguration': 1 });
  });

  it('holds the real STEP_CALLS to a call no function lists (the check can fail on the list CI uses)', () => {
    const recording = recordingOf({ functionKey: 'createTenantBucket', operation: 'S3.PutBucketVersioning' });
    expect(checkRecordedCalls(recording.functionCalls(), STEP_CALLS)).toEqual([
      { problem: 'unlisted-action', functionKey: 'createTenantBucket', operation: 'S3.PutBucketVersioning', action: 's3:PutBucketVersioning', tests: ['a test'] },
    ]);
  });
});

describe('explainFindings', () => {
  it('names the function, the command, the action and where to add it', () => {
    const text = explainFindings([{ problem: 'unlisted-action', functionKey: 'createTenantBucket', operation: 'S3.CreateBucket', action: 's3:TagResource', tests: ['a test'] }]);
    expect(text).toContain('createTenantBucket sent S3.CreateBucket, which needs s3:TagResource');
    expect(text).toContain("add it to the function's role in deploy/roles.js and to STEP_CALLS in test/security/support/step-calls.ts");
    expect(text).toContain('(first in: a test)');
  });

  it('says where to map an unmapped command', () => {
    const text = explainFindings([{ problem: 'unmapped-command', functionKey: 'createTenantBucket', operation: 'S3.PutBucketLifecycleConfiguration', tests: [] }]);
    expect(text).toContain('createTenantBucket sent S3.PutBucketLifecycleConfiguration, which test/support/sdk-calls/iam-actions.ts does not map');
  });
});

describe('unexercisedActions', () => {
  it('lists the actions a function lists that no call needed', () => {
    const recording = recordingOf({ functionKey: 'createTenantBucket', operation: 'S3.HeadBucket' });
    expect(unexercisedActions(recording.functionCalls(), ALLOWED)).toEqual({
      createTenantBucket: ['s3:CreateBucket', 's3:PutBucketOwnershipControls'],
      publishOrgProvisioned: ['events:PutEvents'],
    });
  });
});

describe('iamActionsOf', () => {
  it.each([
    ['S3.CreateBucket', { Bucket: 'b' }, ['s3:CreateBucket']],
    ['S3.CreateBucket', { Bucket: 'b', ObjectOwnership: 'BucketOwnerEnforced', CreateBucketConfiguration: { Tags: [{ Key: 'k', Value: 'v' }] } }, ['s3:CreateBucket', 's3:PutBucketOwnershipControls', 's3:TagResource']],
    ['S3.CreateBucket', { Bucket: 'b', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1', Tags: [] } }, ['s3:CreateBucket']],
    ['IAM.CreateUser', { UserName: 'u', PermissionsBoundary: 'arn' }, ['iam:CreateUser']],
    ['IAM.CreateUser', { UserName: 'u', Tags: [{ Key: 'k', Value: 'v' }] }, ['iam:CreateUser', 'iam:TagUser']],
    ['SecretsManager.CreateSecret', { Name: 's', Tags: [{ Key: 'k', Value: 'v' }] }, ['secretsmanager:CreateSecret', 'secretsmanager:TagResource']],
    ['S3.DeleteObjects', { Bucket: 'b', Delete: { Objects: [{ Key: 'a' }] } }, ['s3:DeleteObject']],
    ['S3.DeleteObjects', { Bucket: 'b', Delete: { Objects: [{ Key: 'a' }, { Key: 'a', VersionId: 'v1' }] } }, ['s3:DeleteObject', 's3:DeleteObjectVersion']],
    ['S3.HeadBucket', { Bucket: 'b' }, ['s3:ListBucket']],
    ['S3.ListObjectVersions', { Bucket: 'b' }, ['s3:ListBucketVersions']],
    ['S3.PutBucketEncryption', { Bucket: 'b' }, ['s3:PutEncryptionConfiguration']],
    ['S3.PutPublicAccessBlock', { Bucket: 'b' }, ['s3:PutBucketPublicAccessBlock']],
    ['S3Control.GetPublicAccessBlock', { AccountId: '1' }, ['s3:GetAccountPublicAccessBlock']],
    ['DynamoDB.TransactWriteItems', { TransactItems: [{ Put: { TableName: 't' } }, { Update: { TableName: 't' } }] }, ['dynamodb:PutItem', 'dynamodb:UpdateItem']],
    ['DynamoDB.TransactWriteItems', { TransactItems: [{ Delete: { TableName: 't' } }, { ConditionCheck: { TableName: 't' } }] }, ['dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem']],
    ['SFN.StopExecution', { executionArn: 'arn' }, ['states:StopExecution']],
    ['STS.GetCallerIdentity', {}, []],
  ])('%s %j needs %j', (operation, input, actions) => {
    expect(iamActionsOf(operation, input)).toEqual(actions);
  });

  it('knows nothing of a command it does not map, nor of a transaction item it cannot read', () => {
    expect(iamActionsOf('S3.PutBucketLifecycleConfiguration', {})).toBeUndefined();
    expect(iamActionsOf('Lambda.Invoke', {})).toBeUndefined();
    expect(iamActionsOf('DynamoDB.TransactWriteItems', { TransactItems: [{ Frobnicate: {} }] })).toBeUndefined();
  });

  it('maps every command the functions import (so a call a test never reaches is mapped too)', () => {
    const services: Record<string, string> = {
      'client-s3': 'S3',
      'client-s3-control': 'S3Control',
      'client-iam': 'IAM',
      'client-secrets-manager': 'SecretsManager',
      'client-eventbridge': 'EventBridge',
      'client-sfn': 'SFN',
      'client-dynamodb': 'DynamoDB',
      'client-sqs': 'SQS',
      'client-sts': 'STS',
    };
    const root = join(__dirname, '../../../functions');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts') && !file.includes('generated'));
    const operations = new Set<string>();
    for (const file of files) {
      for (const [, names, pkg] of readFileSync(join(root, file), 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g)) {
        const service = services[pkg as string];
        if (!service) throw new Error(`${file} imports @aws-sdk/${pkg}, which this test does not know: add it above`);
        for (const name of (names as string).split(',').map((n) => n.trim().replace(/^type\s+/, ''))) {
          const command = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
          if (command) operations.add(`${service}.${command}`);
        }
      }
    }
    expect(operations.size).toBeGreaterThan(40);
    expect([...operations].filter((operation) => iamActionsOf(operation, {}) === undefined)).toEqual([]);
  });
});

describe('observeSdkSends', () => {
  const seen: { functionKey: string | undefined; operation: string }[] = [];
  let stopObserving: () => void;

  beforeEach(() => {
    seen.length = 0;
    const observe = ({ operation }: { operation: string }) => seen.push({ functionKey: currentFunction(), operation });
    const stops = [observeSdkSends(observe), observeLocalExecutionPort(observe)];
    stopObserving = () => stops.forEach((stop) => stop());
  });
  afterEach(() => stopObserving());

  it('sees a mocked send (aws-sdk-client-mock), even after the mock is reset, with the function it was sent in', async () => {
    const s3Mock = mockClient(S3Client);
    try {
      s3Mock.on(HeadBucketCommand).resolves({});
      const s3 = new S3Client({ region: 'us-east-1' });
      await runAsFunction('createTenantBucket', async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await s3.send(new HeadBucketCommand({ Bucket: 'b' }));
      });
      s3Mock.reset().on(HeadBucketCommand).resolves({});
      await s3.send(new HeadBucketCommand({ Bucket: 'b' }));
      expect(seen).toEqual([
        { functionKey: 'createTenantBucket', operation: 'S3.HeadBucket' },
        { functionKey: undefined, operation: 'S3.HeadBucket' },
      ]);
      expect(s3Mock.commandCalls(HeadBucketCommand)).toHaveLength(1);
    } finally {
      s3Mock.restore();
    }
  });

  it('sees a real send through the SDK, and nothing of a function for work run outside it', async () => {
    const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
    // Answers before anything leaves the process: the SDK's own send path, no network.
    s3.middlewareStack.add(() => async () => ({ output: { $metadata: {} }, response: {} }), { step: 'initialize', priority: 'high' });
    await runAsFunction('deleteTenantBucket', async () => {
      await s3.send(new HeadBucketCommand({ Bucket: 'b' }));
      await runOutsideFunctions(() => s3.send(new HeadBucketCommand({ Bucket: 'b' })));
    });
    expect(seen).toEqual([
      { functionKey: 'deleteTenantBucket', operation: 'S3.HeadBucket' },
      { functionKey: undefined, operation: 'S3.HeadBucket' },
    ]);
  });
});

describe('observeLocalExecutionPort', () => {
  it("sees the local execution port's calls as the Step Functions calls they stand for", async () => {
    const seen: { functionKey: string | undefined; operation: string }[] = [];
    const stop = observeLocalExecutionPort(({ operation }) => seen.push({ functionKey: currentFunction(), operation }));
    try {
      const executions = new LocalExecutionPort({ stage: 'test' });
      await runAsFunction('trackExecutionStatus', async () => {
        expect(await executions.describe('provision', 'org-nobody-g1')).toBeUndefined();
        await executions.stop('provision', 'org-nobody-g1', { error: 'Superseded', cause: 'a test' });
      });
      await executions.describe('teardown', 'org-nobody-g1');
    } finally {
      stop();
    }
    expect(seen).toEqual([
      { functionKey: 'trackExecutionStatus', operation: 'SFN.DescribeExecution' },
      { functionKey: 'trackExecutionStatus', operation: 'SFN.StopExecution' },
      { functionKey: undefined, operation: 'SFN.DescribeExecution' },
    ]);
  });
});

describe('functionKeyOfResource', () => {
  it("names a Task's function as serverless.yml does", () => {
    expect(functionKeyOfResource('${CreateTenantBucketFunctionArn}')).toBe('createTenantBucket');
    expect(functionKeyOfResource('arn:aws:states:::lambda:invoke')).toBe('arn:aws:states:::lambda:invoke');
  });
});
