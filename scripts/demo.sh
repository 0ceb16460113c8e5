#!/usr/bin/env bash
# `npm run demo`: installs what is missing (idempotently), then runs the demo on Node 22.
exec bash "$(dirname "$0")/run-local.sh" local/demo.ts "$@"
