#!/usr/bin/env bash
# Builds dist/tenantctl.cjs, the `tenantctl` bin: one esbuild bundle (as the local entry
# points are: @middy/core 7 is ESM-only), skipped when it is newer than every source it is
# built from. Run by scripts/setup.sh and by the e2e tests' global setup.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/tenantctl.cjs
if [[ -f $out && -z "$(find cli functions local statemachine events package.json -newer "$out" -type f -print -quit 2>/dev/null)" ]]; then
  exit 0
fi
printf '[setup] building %s\n' "$out" >&2
node_modules/.bin/esbuild cli/tenantctl.ts --bundle --platform=node --target=node22 --format=cjs \
  --banner:js='#!/usr/bin/env node' --log-level=warning --outfile="$out"
chmod +x "$out"
