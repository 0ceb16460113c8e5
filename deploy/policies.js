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

module.exports.tenantBoundary = async ({ resolveVariable }) => {
  const { tenantBoundaryPolicy } = loadTs('functions/lib/policies.ts');
  const bucketPrefix = await resolveVariable('param:bucketPrefix');
  return tenantBoundaryPolicy({ bucketPrefix });
};
