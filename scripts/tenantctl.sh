#!/usr/bin/env bash
# The package's `tenantctl` bin (`npx tenantctl <command> …`): builds dist/tenantctl.cjs when
# a source is newer than it (cli/build.sh), then runs it on the project's Node 22, whatever
# Node is first on PATH. A committed file rather than the bundle: the bin exists right after
# `npm ci`, with no build step at install, and never runs a build older than its sources.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
if [[ ! -x $root/node_modules/.bin/node ]]; then
  echo "tenantctl: the project's Node 22 is not installed (run \`npm ci\` in $root)" >&2
  exit 1
fi
bash "$root/cli/build.sh"
# The local mode runs the AWS emulator from the project's .venv: installed on first use, once.
for arg in "$@"; do
  if [[ $arg == --local ]]; then
    bash "$root/scripts/setup-emulator.sh"
    break
  fi
done
exec "$root/node_modules/.bin/node" "$root/dist/tenantctl.cjs" "$@"
