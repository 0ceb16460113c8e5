#!/usr/bin/env bash
# Runs a TypeScript entry point of local/ (or cli/) on Node 22: bundled first with esbuild,
# as the Lambdas are, because @middy/core 7 ships only an ES module entry that CommonJS
# loaders (tsx, ts-node) cannot resolve. Usage: scripts/run-local.sh local/demo.ts [args…]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
entry="$1"; shift
out=".local/build/$(basename "${entry%.ts}").cjs"
# esbuild itself stays external: its JS API runs its native binary from its own package.
esbuild "$entry" --bundle --platform=node --target=node22 --format=cjs --sourcemap=inline \
  --external:esbuild --log-level=warning --outfile="$out"
exec node --enable-source-maps "$out" "$@"
