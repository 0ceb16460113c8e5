#!/usr/bin/env bash
# Idempotent install of everything the project needs on this machine:
# node modules (which bring Node 22 through the `node` devDependency) and the
# project's own Python venv with the pinned AWS emulator and cfn-lint.
# Quick when everything is already installed: each part is skipped when its
# stamp matches the inputs that produced it.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_SPEC='moto[server]==5.2.5'
CFN_LINT_SPEC='cfn-lint==1.58.0'

say() { printf '[setup] %s\n' "$*" >&2; }

lock_hash() { sha256sum package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16; }

if [[ ! -x node_modules/.bin/node || "$(cat node_modules/.setup-stamp 2>/dev/null)" != "$(lock_hash)" ]]; then
  say "installing node modules"
  # `npm install`, not `npm ci`: npm 11 omits other platforms' optional
  # bindings from the lock file and `npm ci` then refuses it as out of sync.
  npm install --no-fund --no-audit --loglevel=error
  lock_hash > node_modules/.setup-stamp
fi

venv_stamp="$MOTO_SPEC $CFN_LINT_SPEC"
if [[ ! -x .venv/bin/python || "$(cat .venv/.setup-stamp 2>/dev/null)" != "$venv_stamp" ]]; then
  say "creating .venv with $MOTO_SPEC and $CFN_LINT_SPEC"
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "$MOTO_SPEC" "$CFN_LINT_SPEC"
  echo "$venv_stamp" > .venv/.setup-stamp
fi

# The operators' CLI, the package's `tenantctl` bin: rebuilt only when a source is newer.
bash cli/build.sh
