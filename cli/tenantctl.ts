/**
 * tenantctl: the operators' tool (README, Operators). Built into dist/tenantctl.cjs by cli/build.sh; the
 * package's `bin` is scripts/tenantctl.sh, which rebuilds it when a source is newer and runs it
 * on the project's Node 22 (`npx tenantctl …`).
 */
import { main } from './main';
import { processIo } from './output';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `tenantctl: Node.js 22 or later is needed (this is ${process.version}): run \`npx tenantctl …\`, which uses the project's own Node 22\n`,
  );
  process.exit(2);
}

// A reader that stops early (`tenantctl list | head -1`) closes the pipe: stop quietly, as the
// Unix tools do, rather than die of the EPIPE with a stack trace. Anything else still surfaces.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tenantctl: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
