/**
 * The LocalStack leg's one endpoint (scripts/test-localstack.sh): a loopback proxy that sends
 * DynamoDB's requests to moto and every other request to LocalStack.
 *
 * LocalStack serves DynamoDB with AWS's DynamoDB Local, a Java program it downloads on first use
 * (with a JRE 21) from outside every package registry, under the vendor's own licence: neither can
 * be installed here. So on this leg the tenant ledger lives in moto (the project's own, serialised
 * as in local mode: local/moto_server.py) and S3, IAM, STS, Secrets Manager, EventBridge, SQS and
 * S3 Control are LocalStack's.
 *
 * Usage: tsx scripts/localstack-router.ts <localstack-url> <dynamodb-url> <port-file>
 * Listens on a free loopback port and writes it to <port-file> once it listens.
 */
import { writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';

const [localstack, dynamodb, portFile] = process.argv.slice(2);
if (!localstack || !dynamodb || !portFile) {
  process.stderr.write('usage: tsx scripts/localstack-router.ts <localstack-url> <dynamodb-url> <port-file>\n');
  process.exit(2);
}

/** DynamoDB's JSON protocol names its operation in X-Amz-Target; its signature's scope names the service. */
function isDynamoDb(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && /^DynamoDB(Streams)?_\d{8}\./.test(target)) return true;
  return /\/dynamodb\/aws4_request/.test(req.headers.authorization ?? '');
}

const server = createServer((req, res) => {
  const upstream = new URL(req.url ?? '/', isDynamoDb(req) ? dynamodb : localstack);
  const forward = request(upstream, { method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
    answer.pipe(res);
  });
  forward.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`localstack-router: ${upstream.origin} did not answer (${err.message})\n`);
  });
  req.pipe(forward);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address) writeFileSync(portFile, String(address.port));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
