/**
 * The SDK clients a function's unit tests hand its core, each behind `mockClient` (which answers
 * every instance of the class) and reset before each test of the file that asks for it. Call
 * these at the top of a test file, before its own `beforeEach`, so a test's stubs come after the
 * reset.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

/** IAM: `iamMock` answers, `iam` is the client to hand the core. */
export function mockedIam() {
  const iamMock = mockClient(IAMClient);
  beforeEach(() => iamMock.reset());
  return { iamMock, iam: new IAMClient({}) };
}

/** Secrets Manager: `secretsMock` answers, `secretsManager` is the client to hand the core. */
export function mockedSecretsManager() {
  const secretsMock = mockClient(SecretsManagerClient);
  beforeEach(() => secretsMock.reset());
  return { secretsMock, secretsManager: new SecretsManagerClient({}) };
}

/**
 * S3: `s3Mock` answers, `s3For` is the per-region client factory to hand the core; it gives `s3`
 * for every region and records the regions asked for in `regionsAsked` (emptied before each test).
 */
export function mockedS3(region?: string) {
  const s3Mock = mockClient(S3Client);
  const s3 = new S3Client({ region });
  const regionsAsked: string[] = [];
  beforeEach(() => {
    s3Mock.reset();
    regionsAsked.length = 0;
  });
  const s3For = (asked: string) => (regionsAsked.push(asked), s3);
  return { s3Mock, s3, s3For, regionsAsked };
}

/** EventBridge: `eventBridgeMock` accepts every PutEvents as `event-1` until a test says otherwise; `eventBridge` is the client to hand the core. */
export function mockedEventBridge() {
  const eventBridgeMock = mockClient(EventBridgeClient);
  beforeEach(() => {
    eventBridgeMock.reset();
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
  });
  return { eventBridgeMock, eventBridge: new EventBridgeClient({}) };
}
