#!/usr/bin/env bash
# `npm test`: installs what is missing (idempotently), then type-checks, lints and runs
# every jest project. Extra arguments go to jest. Writes jest's own JSON report to
# test-results/jest.json, from which .ci/run prints its summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"

status=0
echo "[test] tsc --noEmit" >&2
tsc --noEmit -p . || status=1
echo "[test] eslint" >&2
eslint . || status=1
mkdir -p test-results
echo "[test] jest" >&2
jest --ci --json --outputFile=test-results/jest.json "$@" || status=1
exit $status
