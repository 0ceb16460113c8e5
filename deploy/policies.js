/**
 * Serverless variable resolvers that reuse the TypeScript policy code, so a policy exists
 * once: `${file(./deploy/policies.js):tenantBoundary}` in serverless.yml.
 */
const path = require('node:path');
const esbuild = require('esbuild');

function loadTs(relative) {
  const result = esbuild.buildSync({
    entryPoints: [path.join(__dirname, '..', relative)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    write: false,
    logLevel: 'silent',
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', result.outputFiles[0].text)(module, module.exports, require);
  return module.exports;
}

/**
 * A policy document as CloudFormation must be given it through osls. A string holding IAM policy
 * variables (`${aws:PrincipalTag/…}`) becomes an `Fn::Sub` whose `${!…}` CloudFormation writes out
 * as the literal `${…}` (osls would read `${aws:…}` as one of its own variables and fail); an ARN
 * takes the stack's partition (`${AWS::Partition}`) instead of `aws`; and each key of `references`
 * found in a string (a placeholder name the document was built with) becomes its Fn::Sub variable
 * (`${SharedBucket}`, the bucket the stack creates).
 */
function withPolicyVariables(value, references = {}) {
  if (Array.isArray(value)) return value.map((v) => withPolicyVariables(v, references));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPolicyVariables(v, references)]));
  const placeholders = Object.keys(references);
  if (typeof value === 'string' && (value.includes('${') || value.startsWith('arn:aws:') || placeholders.some((p) => value.includes(p)))) {
    let sub = value.replaceAll('${', '${!').replace(/^arn:aws:/, 'arn:${AWS::Partition}:');
    for (const placeholder of placeholders) sub = sub.replaceAll(placeholder, references[placeholder]);
    return { 'Fn::Sub': sub };
  }
  return value;
}

const loaded = new Map();
/** `relative` (a TypeScript module of this repo), bundled and loaded once per packaging. */
function loadTsOnce(relative) {
  if (!loaded.has(relative)) loaded.set(relative, loadTs(relative));
  return loaded.get(relative);
}

module.exports.loadTs = loadTsOnce;
module.exports.withPolicyVariables = withPolicyVariables;

/**
 * The tenants' permissions boundary: bucket tenancy's, or with the prefix tenants' statements when
 * the stage has them (deploy/prefix-tenancy.js), for the shared bucket it names or creates.
 */
module.exports.tenantBoundary = async ({ resolveVariable }) => {
  // Required here, not at the top: deploy/prefix-tenancy.js requires this module.
  const { prefixTenancy, policyDocument } = require('./prefix-tenancy');
  const { tenantBoundaryPolicy } = loadTsOnce('functions/lib/policies.ts');
  const settings = await prefixTenancy(resolveVariable);
  if (!settings.hasPrefixTenants) return withPolicyVariables(tenantBoundaryPolicy());
  return policyDocument(tenantBoundaryPolicy({ sharedBucket: settings.sharedBucket, objectAcls: settings.objectAcls }), settings);
};
