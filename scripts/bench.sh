#!/usr/bin/env bash
# `npm run bench`: installs what is missing (idempotently: the project's node modules and
# emulator, and Debian's awscli for the teardown comparison), then runs bench/run.ts on
# Node 22, bundled like every local entry point (scripts/run-local.sh). Progress and the
# results table go to stderr; the functions' JSON logs go to .local/bench/functions.log.
set -euo pipefail
cd "$(dirname "$0")/.."
# The whole bench's duration counts from here: installs included.
BENCH_STARTED_AT_MS="$(date +%s%3N)"
export BENCH_STARTED_AT_MS

say() { printf '[bench] %s\n' "$*" >&2; }

# Debian's awscli, for `aws s3 rb --force`. Without it (not root, no apt, no package) the
# teardown comparison is skipped and the reason recorded, rather than the bench failing.
if [[ ! -x /usr/bin/aws ]]; then
  reason=''
  if [[ "$(id -u)" != 0 ]]; then
    reason='awscli is not installed and installing it needs root (apt-get install awscli)'
  elif ! command -v apt-get >/dev/null; then
    reason='awscli is not installed and this machine has no apt-get'
  else
    say "installing Debian's awscli (apt-get)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null; } >&2; then
      reason='apt-get could not install awscli'
    fi
  fi
  if [[ -n "$reason" ]]; then
    say "teardown comparison will be skipped: $reason"
    export BENCH_AWSCLI_SKIPPED="$reason"
  fi
fi

mkdir -p .local/bench
bash scripts/run-local.sh bench/run.ts "$@" > .local/bench/functions.log
