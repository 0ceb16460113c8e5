import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetSecretValueCommand, InvalidRequestException, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { listAccessKeys } from '../../functions/lib/access-keys';
import { maskSecretKey, parseTenantSecret, type TenantSecret } from '../../functions/lib/tenant-secret';
import { parseOrgCreatedDetail } from '../../functions/lib/events';
import { tenantSlug } from '../../functions/lib/naming';
import { handoffIniLines, poziLines, poziSyncLines } from '../../local/output/tenant';
import { checked, flag, stringOption, type Command } from '../context';
import { CliError, EXIT_OK, UsageError } from '../errors';
import { tenantItem } from '../tenant/ledger';
import { tenantLocation } from '../tenant/names';
import { tenantctlFor } from '../invocation';

const FORMATS = ['ini', 'env', 'json', 'pozi', 'pozi-sync'] as const;
type Format = (typeof FORMATS)[number];
const isFormat = (value: string): value is Format => (FORMATS as readonly string[]).includes(value);

function parseSecret(text: string | undefined, secretName: string): TenantSecret {
  const secret = parseTenantSecret(text);
  if (!secret) throw new CliError(`Secret ${secretName} does not hold the tenant's credentials (accessKeyId, secretAccessKey, bucket)`);
  return secret;
}

export const credentialsCommand: Command = {
  spec: {
    name: 'credentials',
    summary: "print the tenant's handoff configuration for its POS server (secret masked unless --reveal)",
    usage: 'credentials <orgId> [--format ini|env|json|pozi|pozi-sync] [--reveal]',
    description: [
      "Reads the tenant's secret in Secrets Manager and prints the configuration its POS server",
      'needs: `ini` is the [AWS] section with bucket=, key= and secret=; `env` is AWS_ACCESS_KEY_ID,',
      'AWS_SECRET_ACCESS_KEY, AWS_REGION and TENANT_BUCKET; `json` is one object (as --json).',
      'A tenant in a folder of the shared bucket (prefix tenancy) also gets its prefix: prefix= in',
      '`ini`, TENANT_PREFIX in `env`, "prefix" in `json`.',
      '`pozi` is the [AWS] block of a Pozi on-site config: bucket=<bucket>/<prefix without its',
      "trailing slash>, key= and secret= (a bucket tenant's bucket= is its own bucket, all of it).",
      '`pozi-sync` is what legacy Pozi Data Sync asks for, one name=value a line: sitename= (the',
      "tenant's slug, its orgId in lower case), username= (the access key id) and password= (the",
      'secret access key).',
      'The secret access key is masked (its first 4 characters) unless --reveal is given; in `env`',
      'the masked key is a comment, so sourcing the output never sets a key that does not work.',
      'A warning goes to stderr when the key is no longer active (the tenant is being torn down).',
    ].join('\n'),
    options: {
      format: { type: 'string', value: '<ini|env|json|pozi|pozi-sync>', help: 'the handoff format (default ini)' },
      reveal: { type: 'boolean', help: 'print the secret access key itself' },
    },
    positionals: { min: 1, max: 1 },
    examples: [
      'tenantctl credentials Acme-Bistro-42',
      'tenantctl credentials Acme-Bistro-42 --format env --reveal > tenant.env',
      'tenantctl credentials Acme-Bistro-42 --format pozi --reveal',
    ],
  },
  async run(context) {
    const orgId = context.positionals[0] as string;
    checked('credentials', () => parseOrgCreatedDetail({ orgId }));
    const requested = stringOption(context, 'format');
    if (requested !== undefined && !isFormat(requested)) throw new UsageError(`--format ${JSON.stringify(requested)} must be ${FORMATS.slice(0, -1).join(', ')} or ${FORMATS[FORMATS.length - 1]}`, 'credentials');
    if (context.globals.json && requested !== undefined && requested !== 'json') throw new UsageError(`--json prints JSON; it cannot be combined with --format ${requested}`, 'credentials');
    const format: Format = context.globals.json ? 'json' : (requested ?? 'ini');
    const reveal = flag(context, 'reveal');
    const backend = await context.backend();

    const item = await tenantItem(backend, orgId);
    const location = tenantLocation(item ?? { orgId }, backend);
    const secretName = item?.provisioned?.credentials.secretName ?? location.secretName;

    let secretString: string | undefined;
    try {
      ({ SecretString: secretString } = await backend.secretsManager.send(new GetSecretValueCommand({ SecretId: secretName })));
    } catch (err) {
      if (err instanceof ResourceNotFoundException) throw new CliError(`Tenant ${orgId} has no credentials secret ${secretName}: is it provisioned? (${tenantctlFor(backend)} status ${orgId})`);
      if (err instanceof InvalidRequestException) throw new CliError(`The credentials secret ${secretName} of tenant ${orgId} is scheduled for deletion: the tenant is being torn down`);
      throw err;
    }
    const secret = parseSecret(secretString, secretName);
    const userName = secret.userName ?? location.userName;
    let keyStatus: 'Active' | 'Inactive' | 'missing' | 'unknown' = 'unknown';
    try {
      const key = (await listAccessKeys(backend.iam, userName)).find((k) => k.AccessKeyId === secret.accessKeyId);
      keyStatus = key?.Status === 'Active' || key?.Status === 'Inactive' ? key.Status : 'missing';
    } catch (err) {
      keyStatus = err instanceof NoSuchEntityException ? 'missing' : 'unknown';
    }
    if (keyStatus === 'Inactive' || keyStatus === 'missing') {
      context.out.warn(`tenantctl: warning: access key ${secret.accessKeyId} of ${userName} is ${keyStatus === 'missing' ? 'gone' : 'inactive'}: these credentials no longer work (the tenant is being torn down?)`);
    }

    const shownSecret = reveal ? secret.secretAccessKey : maskSecretKey(secret.secretAccessKey);
    const document = {
      orgId,
      bucket: secret.bucket,
      ...(secret.prefix === undefined ? {} : { prefix: secret.prefix }),
      region: secret.region,
      accessKeyId: secret.accessKeyId,
      secretAccessKey: shownSecret,
      secretRevealed: reveal,
      keyStatus,
      userName,
      secretName,
    };
    if (format === 'json') {
      context.io.stdout(`${JSON.stringify(document, null, 2)}\n`);
    } else if (format === 'ini') {
      context.io.stdout([...handoffIniLines(secret, shownSecret), ''].join('\n'));
    } else if (format === 'pozi') {
      context.io.stdout([...poziLines(secret, shownSecret), ''].join('\n'));
    } else if (format === 'pozi-sync') {
      context.io.stdout([...poziSyncLines(item?.slug ?? tenantSlug(orgId), secret, shownSecret), ''].join('\n'));
    } else {
      // Masked, the secret is a comment: sourcing the output must never set a key that does not work.
      const secretLine = reveal ? `AWS_SECRET_ACCESS_KEY=${shownSecret}` : `# AWS_SECRET_ACCESS_KEY=${shownSecret}  (masked: add --reveal)`;
      const prefixLines = secret.prefix === undefined ? [] : [`TENANT_PREFIX=${secret.prefix}`];
      context.io.stdout([`AWS_ACCESS_KEY_ID=${secret.accessKeyId}`, secretLine, `AWS_REGION=${secret.region}`, `TENANT_BUCKET=${secret.bucket}`, ...prefixLines, ''].join('\n'));
    }
    if (!reveal && format !== 'json') context.out.warn('tenantctl: the secret access key is masked; add --reveal to print it');
    return EXIT_OK;
  },
};
