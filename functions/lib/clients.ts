/**
 * SDK clients, created once per module and reused across invocations. Endpoints come from
 * the standard AWS settings (`AWS_REGION`, `AWS_ENDPOINT_URL`, …), so nothing here knows
 * whether it talks to AWS or to a local emulator.
 *
 * One module per service: a function imports only the clients it uses (`./lib/clients/iam`),
 * so its bundle carries only those SDKs. This file gathers them for local mode and tests,
 * which see the very same instances.
 */
export { dynamodb } from './clients/dynamodb';
export { eventBridge } from './clients/event-bridge';
export { iam } from './clients/iam';
export { s3For } from './clients/s3';
export { s3control } from './clients/s3control';
export { secretsManager } from './clients/secrets-manager';
export { sfn } from './clients/sfn';
