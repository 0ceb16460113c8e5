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
 * A string holding IAM policy variables (`${aws:PrincipalTag/…}`) as CloudFormation must be
 * given it through osls: osls would read `${aws:…}` as one of its own variables and fail, so the
 * string becomes an `Fn::Sub` whose `${!…}` CloudFormation writes out as the literal `${…}`, and
 * whose ARN takes the stack's partition (`${AWS::Partition}`) instead of `aws`.
 */
function withPolicyVariables(value) {
  if (Array.isArray(value)) return value.map(withPolicyVariables);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPolicyVariables(v)]));
  if (typeof value === 'string' && value.includes('${')) return { 'Fn::Sub': value.replaceAll('${', '${!').replace(/^arn:aws:/, 'arn:${AWS::Partition}:') };
  return value;
}

module.exports.tenantBoundary = async () => {
  const { tenantBoundaryPolicy } = loadTs('functions/lib/policies.ts');
  return withPolicyVariables(tenantBoundaryPolicy());
};
