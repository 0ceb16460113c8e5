/**
 * `npm run demo`: the whole pipeline on the embedded default. Sends the sample OrgCreated
 * through the real router, shows each state as it happens, proves the new tenant's
 * credentials work, shows the tenant's ledger item (state and history), prints the POS server's
 * handoff configuration (secret masked), then sends OrgDeleted with no grace period, shows the
 * teardown and the ledger's tombstone, and checks nothing is left. With `--tenancy prefix` the
 * tenant is a prefix of the local stage's shared bucket, and its handoff is Pozi's [AWS] block.
 * With `--rotate`, the tenant's key is rotated before the teardown (local/demo-rotation.ts).
 */
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { parseArgs } from 'node:util';
import sample from '../events/samples/org-created.json';
import { TENANCIES, type Tenancy } from '../functions/lib/config';
import type { ExecutionEvent, ExecutionRecord, Workflow } from '../functions/lib/executions';
import { publishedDetail, type OrgProvisionedDetail } from '../functions/lib/publish';
import { parseOrgCreatedDetail } from '../functions/lib/events';
import type { TenantClients } from '../functions/lib/key-proof';
import { maskSecretKey, parseTenantSecret, type TenantSecret } from '../functions/lib/tenant-secret';
import { ensureBackgroundEmulator } from './daemon';
import { demonstrateRotation } from './demo-rotation';
import { outcomeLine, progressPrinter } from './output/progress';
import { handoffIniLines, poziLines, tenantLines } from './output/tenant';
import { parseArgsMessage, type OptionWording } from './output/usage';
import { executionsStore, localStateDir } from './paths';
import { openLocalPipeline, startLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from './pipeline';
import { LOCAL_REGION, type EmittedEvent } from './stack';
import { iamAccessKeyStatus, localTenantClients } from './tenant-key-check';

// The functions' JSON logs would bury the progress lines; warnings and errors still show.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const USAGE = `Usage: npm run demo -- [--org-id <orgId>] [--tenancy bucket|prefix] [--rotate] [--keep]

Runs the real provisioning and teardown workflows against a local AWS emulator.
  --org-id <orgId>  the organisation to provision (default: ${sample.detail.orgId})
  --tenancy <mode>  bucket: the tenant gets its own bucket (default); prefix: a prefix of the
                    stage's shared bucket (userdata/<slug>-publisher/), as Pozi's sites have
  --rotate          rotate the tenant's access key before the teardown, as Secrets Manager would
                    (the four steps of the rotation function, both keys during the overlap, the
                    previous key retired after it and refused, the new key working)
  --keep            keep the tenant: skip the teardown, and provision into the background
                    emulator \`npx tenantctl --local\` uses (or AWS_ENDPOINT_URL's), which
                    stays up: \`npx tenantctl --local status <orgId>\` shows the tenant after
  --help            this text

Example: npm run demo -- --org-id Corner-Cafe-7 --tenancy prefix`;

const out = (line = '') => process.stdout.write(`${line}\n`);
const pad = (text: string, width: number) => text.padEnd(width);

/** Each execution's states as they happen, as tenantctl shows them when it follows one. */
function progressOfEachExecution(): NonNullable<LocalPipelineOptions['onEvent']> {
  const printers = new Map<string, (event: ExecutionEvent) => string[]>();
  return (_workflow, name, event) => {
    const print = printers.get(name) ?? progressPrinter();
    printers.set(name, print);
    for (const line of print(event)) out(line);
  };
}

async function follow(pipeline: LocalPipeline, workflow: Workflow, name: string): Promise<ExecutionRecord> {
  const record = await pipeline.executions.waitFor(workflow, name);
  out(outcomeLine(record));
  return record;
}

async function proveCredentials(pipeline: LocalPipeline, secretName: string, userArn: string): Promise<TenantSecret> {
  const { SecretString } = await pipeline.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretName }));
  const secret = parseTenantSecret(SecretString);
  if (!secret) throw new Error(`Secret ${secretName} does not hold the tenant's credentials`);
  const credentials = { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey };
  // Signing as the tenant, with AWS's check of the key (the emulator itself takes any key).
  const { sts, s3, destroy } = localTenantClients(pipeline.emulator.endpoint, LOCAL_REGION, iamAccessKeyStatus(pipeline.clients.iam))(credentials, secret.region);
  try {
    await proveWith(sts, s3, secret, userArn);
  } finally {
    destroy();
  }
  return secret;
}

async function proveWith(sts: TenantClients['sts'], s3: TenantClients['s3'], secret: TenantSecret, userArn: string): Promise<void> {
  const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
  if (Arn !== userArn) throw new Error(`The tenant's key authenticates as ${Arn}, not as ${userArn}`);
  out(`  ✓ STS GetCallerIdentity with the tenant's key → ${Arn}`);

  const key = `${secret.prefix ?? ''}demo/hello.txt`;
  const body = `written by the tenant's own key at ${new Date().toISOString()}`;
  await s3.send(new PutObjectCommand({ Bucket: secret.bucket, Key: key, Body: body }));
  const readBack = await (await s3.send(new GetObjectCommand({ Bucket: secret.bucket, Key: key }))).Body?.transformToString();
  if (readBack !== body) throw new Error(`Read back ${JSON.stringify(readBack)} from s3://${secret.bucket}/${key}`);
  out(`  ✓ wrote and read back s3://${secret.bucket}/${key} with the tenant's key`);
}

/** Every version and delete marker under `prefix` of `bucket`, as s3:// URLs. */
async function objectsUnder(pipeline: LocalPipeline, bucket: string, prefix: string): Promise<string[]> {
  const listing = await pipeline.clients.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
  return [...(listing.Versions ?? []), ...(listing.DeleteMarkers ?? [])].map((entry) => `s3://${bucket}/${entry.Key ?? ''}`);
}

/** The tenant's item in the tenant ledger: its state and how it got there. */
async function printLedger(pipeline: LocalPipeline, orgId: string): Promise<void> {
  const item = await pipeline.ledger.get(orgId.toLowerCase());
  if (!item) {
    out('  (no ledger item)');
    return;
  }
  out(`  state ${item.state} since ${item.stateSince}, generation ${item.generation}, region ${item.region}, version ${item.version}`);
  for (const entry of item.history) out(`    ${entry.at}  ${pad(`${entry.from ?? '—'} → ${entry.to}`, 26)} ${entry.by}: ${entry.reason}`);
}

/** Bad usage: one sentence on stderr, exit 2, before anything is started. */
class DemoUsageError extends Error {}

const OPTIONS = {
  'org-id': { type: 'string' },
  tenancy: { type: 'string' },
  rotate: { type: 'boolean' },
  keep: { type: 'boolean' },
  help: { type: 'boolean' },
} satisfies Record<string, OptionWording>;

function parseDemoArgs(argv: string[]): { orgId: string; orgName: string; tenancy: Tenancy; rotate: boolean; keep: boolean; help: boolean } {
  let values: { 'org-id'?: string; tenancy?: string; rotate?: boolean; keep?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new DemoUsageError(parseArgsMessage(err, argv, OPTIONS));
  }
  const orgId = values['org-id'] ?? sample.detail.orgId;
  try {
    // The router would reject it (and log why): say it in one sentence before starting anything.
    parseOrgCreatedDetail({ orgId });
  } catch (err) {
    throw new DemoUsageError(err instanceof Error ? err.message : String(err));
  }
  const tenancy = values.tenancy ?? 'bucket';
  if (!(TENANCIES as readonly string[]).includes(tenancy)) throw new DemoUsageError(`--tenancy ${JSON.stringify(tenancy)} must be bucket or prefix`);
  return {
    orgId,
    orgName: values['org-id'] ? orgId : sample.detail.orgName,
    tenancy: tenancy as Tenancy,
    rotate: values.rotate === true,
    keep: values.keep === true,
    help: values.help === true,
  };
}

/**
 * With --keep, the tenant must outlive the demo: it is provisioned into AWS_ENDPOINT_URL's
 * emulator, or the background one `tenantctl --local` uses (started if need be), with the
 * executions in tenantctl's store, so `npx tenantctl --local status <orgId>` shows them after.
 */
async function keptPipeline(onEvent: LocalPipelineOptions['onEvent'], tenancy: Tenancy): Promise<{ pipeline: LocalPipeline; where: string; tenantctl: string }> {
  const stateDir = localStateDir(process.env);
  const store = executionsStore(stateDir);
  const external = process.env.AWS_ENDPOINT_URL?.trim();
  if (external) return { pipeline: await startLocalPipeline({ onEvent, store, tenancy }), where: `the emulator at AWS_ENDPOINT_URL`, tenantctl: `AWS_ENDPOINT_URL=${external} npx tenantctl --local` };
  const emulator = await ensureBackgroundEmulator(stateDir);
  const pipeline = await openLocalPipeline({ endpoint: emulator.endpoint, owned: false, pid: emulator.pid, stop: async () => undefined }, { onEvent, store, tenancy });
  return { pipeline, where: `the background emulator of \`npx tenantctl --local\` (pid ${emulator.pid}${emulator.started ? ', started now' : ''})`, tenantctl: 'npx tenantctl --local' };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseDemoArgs>;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof DemoUsageError)) throw err;
    process.stderr.write(`demo: ${err.message.replace(/\.$/, '')}. Run \`npm run demo -- --help\`.\n`);
    return 2;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }
  const { orgId, orgName } = args;

  const onEvent = progressOfEachExecution();
  const kept = args.keep ? await keptPipeline(onEvent, args.tenancy) : undefined;
  const pipeline = kept?.pipeline ?? (await startLocalPipeline({ onEvent, tenancy: args.tenancy }));
  try {
    out(`tenant-provisioner demo — AWS emulator at ${pipeline.emulator.endpoint} (${kept ? kept.where : pipeline.emulator.owned ? 'moto, started for this run' : 'AWS_ENDPOINT_URL'})`);
    out();

    out(`▶ OrgCreated orgId=${orgId}`);
    const created = await pipeline.send('OrgCreated', { orgId, orgName });
    out(`  router: ${created.action}${created.executionName ? ` ${created.executionName}` : ''}${created.reason ? ` — ${created.reason}` : ''}`);
    if (created.action === 'rejected' || !created.executionName) return 1;
    out(`  provision-tenant ${created.executionName}`);
    const provisioned = await follow(pipeline, 'provision', created.executionName);
    if (provisioned.status !== 'SUCCEEDED') return 1;

    const detail = publishedDetail<OrgProvisionedDetail>(provisioned.output);
    if (!detail) throw new Error(`${created.executionName} succeeded but published no OrgProvisioned`);
    out();
    for (const line of tenantLines(detail)) out(line);
    out();
    out("Tenant ledger (the tenant's item in DynamoDB: its state and how it got there)");
    await printLedger(pipeline, orgId);
    out();
    out('Credentials check');
    const secret = await proveCredentials(pipeline, detail.credentials.secretName, detail.user.arn);
    out();
    if (secret.prefix === undefined) {
      out('Handoff configuration for the POS server (secret masked; the full value is in the secret)');
      for (const line of handoffIniLines(secret, maskSecretKey(secret.secretAccessKey))) out(`  ${line}`);
    } else {
      out("Handoff configuration for the site's on-site config (tenantctl credentials --format pozi; secret masked)");
      for (const line of poziLines(secret, maskSecretKey(secret.secretAccessKey))) out(`  ${line}`);
    }
    const seenEvents: EmittedEvent[] = [];
    if (args.rotate) {
      out();
      seenEvents.push(...(await demonstrateRotation(out, pipeline, detail.credentials.secretName)));
    }

    if (kept) {
      out();
      out(`Kept the tenant (--keep) in ${kept.where}, which stays up:`);
      out(`  ${kept.tenantctl} status ${orgId}    # its ledger, executions and resources`);
      if (!process.env.AWS_ENDPOINT_URL?.trim()) out('  npx tenantctl local stop    # ends the emulator, and the tenant with it');
      return 0;
    }

    out();
    out(`▶ OrgDeleted orgId=${orgId} retentionDays=0`);
    const deleted = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
    out(`  router: ${deleted.action}${deleted.executionName ? ` ${deleted.executionName}` : ''}${deleted.reason ? ` — ${deleted.reason}` : ''}`);
    if (deleted.action !== 'started' || !deleted.executionName) return 1;
    out(`  teardown-tenant ${deleted.executionName}`);
    const tornDown = await follow(pipeline, 'teardown', deleted.executionName);
    if (tornDown.status !== 'SUCCEEDED') return 1;

    out();
    out('Tenant ledger after the teardown (the item stays, as the tombstone that keeps the generation counter)');
    await printLedger(pipeline, orgId);
    out();
    const events = [...seenEvents, ...(await pipeline.events())];
    out(`Events on the bus: ${events.map((e) => e['detail-type']).join(', ') || 'none'}`);
    const residue = await pipeline.residue();
    const prefix = detail.bucket.prefix;
    const left = [
      // A prefix tenant leaves the shared bucket (the stage's) and nothing under its prefix.
      ...(prefix === undefined ? residue.buckets.filter((b) => b === detail.bucket.name) : await objectsUnder(pipeline, detail.bucket.name, prefix)),
      ...residue.users.filter((u) => u === detail.user.name),
      ...residue.accessKeys.filter((k) => k.startsWith(`${detail.user.name}:`)),
      ...residue.secrets.filter((s) => s === detail.credentials.secretName),
    ];
    if (left.length > 0) {
      out(`resources left: ${left.join(', ')}`);
      return 1;
    }
    out(prefix === undefined ? 'no resources left' : `no resources left: nothing under s3://${detail.bucket.name}/${prefix}; the shared bucket stays (it is the stage's)`);
    return 0;
  } finally {
    await pipeline.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
