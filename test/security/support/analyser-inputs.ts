/**
 * What the analysers read besides the template itself: every IAM policy document the stack
 * generates, resolved to concrete ARNs, and every state machine definition as deployed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { tenantBucketPolicy } from '../../../functions/lib/policies';
import { PROJECT_ROOT, type Resource } from '../../../scripts/package-stack';
import type { NamedDocument } from './analysers';
import { hasUnresolved } from './intrinsics';
import type { PolicyDocument } from './stack-policies';
import type { World } from './world';

const STATE_MACHINE_DIR = join(PROJECT_ROOT, 'statemachine');

const isPolicyDocument = (value: unknown): boolean => typeof value === 'object' && value !== null && 'Statement' in value;

/**
 * The policy documents a resource of the template holds, unresolved: a role's inline policies
 * as `<Role>/<PolicyName>`, any other property holding a document (`PolicyDocument` of a
 * managed, bucket, queue or topic policy; `KeyPolicy` of a key) as the resource's logical id.
 * A role's trust policy is left out: parliament reads only policies with a Resource element.
 */
function documentsOf(logicalId: string, resource: Resource, resolveName: (value: unknown) => string): NamedDocument<unknown>[] {
  const properties = Object.entries(resource.Properties ?? {}).filter(([key]) => !(resource.Type === 'AWS::IAM::Role' && key === 'AssumeRolePolicyDocument'));
  const inline =
    resource.Type === 'AWS::IAM::Role'
      ? ((resource.Properties.Policies ?? []) as { PolicyName: unknown; PolicyDocument: unknown }[]).map((p) => ({
          name: `${logicalId}/${resolveName(p.PolicyName)}`,
          document: p.PolicyDocument,
        }))
      : [];
  const held = properties.filter(([, value]) => isPolicyDocument(value));
  return [...inline, ...held.map(([key, document]) => ({ name: held.length === 1 ? logicalId : `${logicalId}.${key}`, document }))];
}

/**
 * Every IAM policy the stack generates, resolved for the world's deployment: each role's
 * inline policies and every other policy document of the packaged template (among them the
 * tenant boundary, which deploy/policies.js builds with tenantBoundaryPolicy, and the
 * deployment bucket's, queue, topic and key policies), and the one the functions generate at
 * run time: a tenant's bucket policy, TLS-only as deployed.
 */
export function stackPolicies(w: World): NamedDocument<PolicyDocument>[] {
  const { resolver, template } = w.stack;
  const resolve = <T>(value: unknown) => resolver.resolve(value as never) as T;
  const fromTemplate = Object.entries(template.Resources).flatMap(([id, resource]) =>
    documentsOf(id, resource, (value) => resolve<string>(value)).map((d) => ({ name: d.name, document: resolve<PolicyDocument>(d.document) })),
  );
  const bucketPolicy = tenantBucketPolicy({ bucket: w.a.bucket, userArn: w.a.userArn, tlsOnly: true }) as unknown as PolicyDocument;
  const policies = [...fromTemplate, { name: 'tenantBucketPolicy', document: bucketPolicy }];
  const unresolved = policies.filter((p) => hasUnresolved(p.document)).map((p) => p.name);
  if (unresolved.length > 0) throw new Error(`Policies with unresolved placeholders: ${unresolved.join(', ')}`);
  return policies;
}

/** `value` with every `${Name}` of `substitutions` replaced in its strings, as Step Functions' DefinitionSubstitutions does. */
function substitute(value: unknown, substitutions: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\$\{([^}]+)\}/g, (whole, name: string) => substitutions[name] ?? whole);
  if (Array.isArray(value)) return value.map((item) => substitute(item, substitutions));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, substitutions)]));
  return value;
}

/**
 * Each statemachine/*.asl.json as the stack deploys it: the template's state machine whose
 * Definition is that file, with its DefinitionSubstitutions (the functions' ARNs) resolved
 * and put in. Named for the file (`provision-tenant`). Throws when a file is not the
 * definition of exactly one state machine of the template, or a state machine has none.
 */
export function deployedDefinitions(w: World): NamedDocument<Record<string, unknown>>[] {
  const { resolver, template } = w.stack;
  const machines = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  const files = readdirSync(STATE_MACHINE_DIR).filter((name) => name.endsWith('.asl.json'));
  const definitions = files.map((file) => {
    const source = JSON.parse(readFileSync(join(STATE_MACHINE_DIR, file), 'utf8')) as unknown;
    const matching = machines.filter(([, r]) => isDeepStrictEqual(r.Properties.Definition, source));
    if (matching.length !== 1) {
      throw new Error(`statemachine/${file} is the Definition of ${matching.length} state machines of the template (${matching.map(([id]) => id).join(', ')}), not one`);
    }
    const [, machine] = matching[0] as [string, Resource];
    const substitutions = resolver.resolve((machine.Properties.DefinitionSubstitutions ?? {}) as never) as Record<string, string>;
    return { name: file.replace(/\.asl\.json$/, ''), machine: matching[0]?.[0], document: substitute(source, substitutions) as Record<string, unknown> };
  });
  const unmatched = machines.filter(([id]) => !definitions.some((d) => d.machine === id)).map(([id]) => id);
  if (unmatched.length > 0) throw new Error(`State machines whose Definition is no statemachine/*.asl.json: ${unmatched.join(', ')}`);
  return definitions.map(({ name, document }) => ({ name, document }));
}
