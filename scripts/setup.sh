#!/usr/bin/env bash
# Idempotent install of everything the project needs on this machine:
# node modules (which bring Node 22 through the `node` devDependency) and the
# project's own Python venvs: the pinned AWS emulator and cfn-lint in `.venv`, the
# security analysers (checkov, parliament, statelint) in `.venv-analysers`.
# Quick when everything is already installed: each part is skipped when its
# stamp matches the inputs that produced it.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_SPEC='moto[server]==5.2.5'
CFN_LINT_SPEC='cfn-lint==1.58.0'
# The analysers of DESIGN §7, run on the packaged stack by test/security/analysers.test.ts.
CHECKOV_SPEC='checkov==3.3.30'
PARLIAMENT_SPEC='parliament==1.6.4'
STATELINT_SPEC='statelint==3.1.0'

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
