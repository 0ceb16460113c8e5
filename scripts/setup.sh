#!/usr/bin/env bash
# Idempotent install of everything the project needs on this machine:
# node modules (which bring Node 22 through the `node` devDependency) and the
# project's own Python venvs: the pinned AWS emulator and cfn-lint in `.venv`, the
# security analysers (checkov, parliament, statelint) in `.venv-analysers`.
# Quick and silent when everything is already installed: the node modules are left alone
# while npm's record of them matches the lock, each venv while its stamp matches its pins.
set -euo pipefail
cd "$(dirname "$0")/.."

# The analysers of docs/architecture.md, Security model, run on the packaged stack by test/security/analysers.test.ts.
CHECKOV_SPEC='checkov==3.3.30'
PARLIAMENT_SPEC='parliament==1.6.4'
STATELINT_SPEC='statelint==3.1.0'

say() { printf '[setup] %s\n' "$*" >&2; }

# True when node_modules is what `npm ci` would install now: npm's own record of the installed
# tree (node_modules/.package-lock.json) holds every package of the lock as the lock has it,
# less optional ones (other platforms' bindings), and the lock's dependencies are package.json's.
# So an `npm ci` typed by hand counts, and editing scripts or engines reinstalls nothing
# (`npm ci` deletes node_modules first: not something to do under a running jest).
node_modules_current() {
  [[ -x node_modules/.bin/node && -f node_modules/.package-lock.json ]] || return 1
  node -e '
    const fs = require("fs");
    const read = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    const deps = (m) => ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]
      .map((field) => Object.entries(m[field] ?? {}).sort());
    const manifest = read("package.json");
    const { "": root, ...locked } = read("package-lock.json").packages;
    const installed = read("node_modules/.package-lock.json").packages;
    const current = same(deps(manifest), deps(root))
      && Object.entries(locked).every(([path, entry]) =>
        path in installed ? same(installed[path], entry) : entry.optional === true || entry.devOptional === true)
      && Object.keys(installed).every((path) => path in locked);
    process.exit(current ? 0 : 1);
  ' 2>/dev/null
}

if ! node_modules_current; then
  say "installing node modules (npm ci)"
  # `npm ci`, never `npm install`: it installs exactly the committed lock and never
  # rewrites it. --loglevel=error: the EBADENGINE warnings of the packages that want
  # Node 22 concern the bootstrap Node running npm, not the Node 22 this installs.
  npm ci --no-fund --no-audit --loglevel=error
fi

# The emulator's venv (`.venv`): its own script, which `npx tenantctl --local` runs too.
bash scripts/setup-emulator.sh

# A venv of their own: pip resolves the analysers together with the emulator only by
# downgrading it, since checkov 3.3.30 pins boto3==1.35.49 (botocore 1.44 -> 1.35, the
# service models moto answers with) and networkx<2.7 (which cfn-lint's graphs use).
analysers_stamp="$CHECKOV_SPEC $PARLIAMENT_SPEC $STATELINT_SPEC"
if [[ ! -x .venv-analysers/bin/python || "$(cat .venv-analysers/.setup-stamp 2>/dev/null)" != "$analysers_stamp" ]]; then
  say "creating .venv-analysers with $CHECKOV_SPEC, $PARLIAMENT_SPEC and $STATELINT_SPEC"
  python3 -m venv .venv-analysers
  .venv-analysers/bin/python -m pip install --quiet --disable-pip-version-check "$CHECKOV_SPEC" "$PARLIAMENT_SPEC" "$STATELINT_SPEC"
  echo "$analysers_stamp" > .venv-analysers/.setup-stamp
fi

# The operators' CLI, the package's `tenantctl` bin: rebuilt only when a source is newer.
bash cli/build.sh
