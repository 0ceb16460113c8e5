/**
 * The independent analysers of docs/architecture.md, Security model: checkov on the packaged CloudFormation
 * template, parliament on every IAM policy the stack generates (support/analyser-inputs.ts
 * says which), statelint on every statemachine/*.asl.json as deployed. Each finding must be
 * accepted, with its reason, in analyser-findings.yml, the one reviewed file; a new finding
 * fails, and so does an accepted one that no longer occurs. The analysers run from
 * .venv-analysers (scripts/setup.sh), offline.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { packageStack } from '../../scripts/package-stack';
import { loadAcceptedFindings, triage, type AcceptedFinding } from './support/accepted-findings';
import { deployedDefinitions, stackPolicies } from './support/analyser-inputs';
import { checkov, parliament, statelint, type NamedDocument } from './support/analysers';
import type { PolicyDocument } from './support/stack-policies';
import { buildWorld, DEPLOYMENT, STAGE, type World } from './support/world';

const ACCEPTED_FINDINGS = join(__dirname, 'analyser-findings.yml');
const ANALYSER_TIMEOUT_MS = 150_000;

/**
 * The stages whose templates differ: the default (bucket tenancy), one with prefix tenants whose
 * shared bucket the stack creates, and one naming an existing shared bucket with object ACLs on.
 * Findings are held to the file over all three: an entry is stale only when no stage needs it.
 */
const STAGE_PARAMS: Record<string, string>[] = [{}, { tenancy: 'prefix' }, { sharedBucket: 'connect.pozi.example', objectAcls: 'enabled' }];

let worlds: World[];
let world: World;
let accepted: AcceptedFinding[];
let policies: NamedDocument<PolicyDocument>[][];

beforeAll(() => {
  accepted = loadAcceptedFindings(ACCEPTED_FINDINGS);
  worlds = STAGE_PARAMS.map((params) => buildWorld(packageStack({ stage: STAGE, region: DEPLOYMENT.region, params })));
  world = worlds[0] as World;
  policies = worlds.map(stackPolicies);
}, 600_000);

afterAll(() => {
  for (const w of worlds ?? []) rmSync(w.packaged.outDir, { recursive: true, force: true });
});

describe('checkov', () => {
  it(
    'finds nothing in the packaged template but what analyser-findings.yml accepts',
    () => {
      const runs = worlds.map((w) => checkov(w.packaged.templatePath));
      for (const run of runs) expect({ parsingErrors: run.parsingErrors, readResources: run.resourceCount > 0 }).toEqual({ parsingErrors: 0, readResources: true });
      const { unaccepted, stale } = triage('checkov', runs.flatMap((run) => run.findings), accepted);
      expect({ unaccepted, stale }).toEqual({ unaccepted: [], stale: [] });
    },
    ANALYSER_TIMEOUT_MS,
  );
});

describe('parliament', () => {
  it.each(STAGE_PARAMS.map((params, index) => [JSON.stringify(params), index]))('is given every role policy, the tenant boundary and bucket policy, and the resource policies of the template (stage options %s)', (_params, index) => {
    const w = worlds[index] as World;
    const names = (policies[index] ?? []).map((p) => p.name);
    const roles = [...w.functions.values(), ...w.machines].map((x) => x.role);
    expect(roles.flatMap((r) => r.policies.map((p) => p.name)).filter((name) => !names.includes(name))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining([w.boundary.name, 'tenantBucketPolicy']));
    const resourcePolicies = ['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy', 'AWS::KMS::Key', 'AWS::IAM::ManagedPolicy'];
    const holders = Object.entries(w.stack.template.Resources).filter(([, r]) => resourcePolicies.includes(r.Type));
    expect(holders.map(([id]) => id).filter((id) => !names.includes(id))).toEqual([]);
  });

  it(
    'finds nothing in them but what analyser-findings.yml accepts',
    () => {
      const { unaccepted, stale } = triage('parliament', policies.flatMap((stagePolicies) => parliament(stagePolicies)), accepted);
      expect({ unaccepted, stale }).toEqual({ unaccepted: [], stale: [] });
    },
    ANALYSER_TIMEOUT_MS,
  );
});

describe('statelint', () => {
  it(
    'finds nothing in the deployed state machines but what analyser-findings.yml accepts',
    () => {
      const definitions = deployedDefinitions(world);
      expect(definitions.map((d) => d.name)).toEqual(expect.arrayContaining(['provision-tenant', 'teardown-tenant', 'restore-tenant']));
      const { unaccepted, stale } = triage('statelint', statelint(definitions), accepted);
      expect({ unaccepted, stale }).toEqual({ unaccepted: [], stale: [] });
    },
    ANALYSER_TIMEOUT_MS,
  );
});
