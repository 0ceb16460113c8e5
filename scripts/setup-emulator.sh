#!/usr/bin/env bash
# Idempotent install of the project's own Python venv `.venv`: the pinned AWS emulator (moto)
# and cfn-lint. Run by scripts/setup.sh, and by the `tenantctl` bin for `--local`, so that
# `npm ci && npx tenantctl --local …` works on a fresh clone. Quick and silent when the venv's
# stamp matches its pins.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_SPEC='moto[server]==5.2.5'
CFN_LINT_SPEC='cfn-lint==1.58.0'

venv_stamp="$MOTO_SPEC $CFN_LINT_SPEC"
if [[ ! -x .venv/bin/python || "$(cat .venv/.setup-stamp 2>/dev/null)" != "$venv_stamp" ]]; then
  printf '[setup] creating .venv with %s and %s\n' "$MOTO_SPEC" "$CFN_LINT_SPEC" >&2
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "$MOTO_SPEC" "$CFN_LINT_SPEC"
  echo "$venv_stamp" > .venv/.setup-stamp
fi
