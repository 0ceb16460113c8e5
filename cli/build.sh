#!/usr/bin/env bash
# Builds dist/tenantctl.cjs, the bundle the `tenantctl` bin runs: one esbuild bundle (as the
# local entry points are: @middy/core 7 is ESM-only), skipped when it is newer than every
# source it is built from. Run by the bin itself (scripts/tenantctl.sh), scripts/setup.sh and
# the e2e tests' global setup.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/tenantctl.cjs
if [[ -f $out && -z "$(find cli functions local statemachine events package.json -newer "$out" -type f -print -quit 2>/dev/null)" ]]; then
  exit 0
fi
if [[ ! -x node_modules/.bin/esbuild ]]; then
  printf 'cannot build %s: esbuild is not installed (run `npm ci`)\n' "$out" >&2
  exit 1
fi
printf '[setup] building %s\n' "$out" >&2
# Written beside and renamed: a tenantctl started meanwhile never loads half a bundle.
node_modules/.bin/esbuild cli/tenantctl.ts --bundle --platform=node --target=node22 --format=cjs \
  --banner:js='#!/usr/bin/env node' --log-level=warning --outfile="$out.$$.tmp"
chmod +x "$out.$$.tmp"
mv -f "$out.$$.tmp" "$out"
