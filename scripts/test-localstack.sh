#!/usr/bin/env bash
# `npm run test:localstack`: the demo and the integration suites on LocalStack, the second AWS
# emulator (issue 17), as `npm run demo` and `npm test` run them on moto. Installs what is missing
# (idempotently), starts LocalStack without Docker on a free loopback port, and moto beside it for
# DynamoDB only (scripts/localstack-router.ts says why), joins them behind one loopback endpoint
# given as AWS_ENDPOINT_URL, runs the demo, then jest's integration project, and stops all three
# however it ends. Extra arguments go to jest. Writes jest's own JSON report to
# test-results/jest-localstack.json, which .ci/run adds to its summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
bash scripts/setup-localstack.sh || exit 1
export PATH="$PWD/node_modules/.bin:$PATH"
report=test-results/jest-localstack.json
rm -f "$report"

say() { printf '[test:localstack] %s\n' "$*" >&2; }
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
seconds_since() { node -e 'console.log(((Date.now() - Number(process.argv[1])) / 1000).toFixed(1))' "$1"; }
now_ms() { node -e 'console.log(Date.now())'; }

# Everything a run writes (LocalStack's filesystem root, the logs, the router's port) goes here.
state="$(mktemp -d "${TMPDIR:-/tmp}/tenant-provisioner-localstack.XXXXXX")"
pids=()
stop_all() {
  local pid
  trap '' INT TERM
  # LocalStack 2026.3.0 logs "[shutdown] Stopping all services" on SIGTERM and then hangs, so
  # what is still running after 3 s is killed (quietly: no "Killed" notice from bash).
  {
    for pid in "${pids[@]}"; do kill "$pid"; done
    for pid in "${pids[@]}"; do
      for _ in $(seq 1 30); do kill -0 "$pid" || break; sleep 0.1; done
      kill -KILL "$pid"
      wait "$pid"
    done
  } 2>/dev/null
  if [[ ${KEEP_LOCALSTACK_STATE:-} == 1 ]]; then say "logs kept in $state"; else rm -rf "$state"; fi
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# LocalStack on loopback only: hypercorn binds the host GATEWAY_LISTEN names (the default twisted
# server listens on every interface whatever it says), no DNS server (DNS_ADDRESS=0), no usage
# events sent home, no certificate download, and any other outbound HTTP(S) LocalStack might try
# goes to a closed loopback port instead of the network. PARITY_AWS_ACCESS_KEY_ID: AKIA… key ids,
# as IAM issues them, not LocalStack's own LKIA….
localstack_port="$(free_port)"
localstack_url="http://127.0.0.1:$localstack_port"
say "starting LocalStack on $localstack_url"
started="$(now_ms)"
env GATEWAY_LISTEN="127.0.0.1:$localstack_port" GATEWAY_SERVER=hypercorn LOCALSTACK_HOST="127.0.0.1:$localstack_port" \
  SERVICES=s3,iam,sts,secretsmanager,events,sqs,stepfunctions,s3control EAGER_SERVICE_LOADING=1 \
  PARITY_AWS_ACCESS_KEY_ID=1 DNS_ADDRESS=0 DISABLE_EVENTS=1 SKIP_SSL_CERT_DOWNLOAD=1 \
  FILESYSTEM_ROOT="$state/localstack" HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
  http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
  .venv-localstack/bin/python -m localstack.runtime.main >"$state/localstack.log" 2>&1 &
pids+=($!)
localstack_pid=$!

# moto for DynamoDB, in LocalStack's account (000000000000 for the local key) so that every ARN
# of the leg names one account.
moto_port="$(free_port)"
MOTO_ACCOUNT_ID=000000000000 .venv/bin/python local/moto_server.py -H 127.0.0.1 -p "$moto_port" >"$state/moto.log" 2>&1 &
pids+=($!)

node --import tsx scripts/localstack-router.ts "$localstack_url" "http://127.0.0.1:$moto_port" "$state/router-port" >"$state/router.log" 2>&1 &
pids+=($!)

# Ready when LocalStack reports every service running, moto answers, and the router listens.
ready=0
for _ in $(seq 1 240); do
  if ! kill -0 "$localstack_pid" 2>/dev/null; then break; fi
  if curl -sf "$localstack_url/_localstack/health" 2>/dev/null | node -e '
      const wanted = ["s3", "iam", "sts", "secretsmanager", "events", "sqs", "stepfunctions", "s3control"];
      let body = ""; process.stdin.on("data", (d) => (body += d)).on("end", () => {
        let services = {};
        try { ({ services } = JSON.parse(body)); } catch { process.exit(1); }
        process.exit(wanted.every((name) => services[name] === "running") ? 0 : 1);
      });' \
    && curl -s -o /dev/null "http://127.0.0.1:$moto_port/" && [[ -s $state/router-port ]]; then
    ready=1
    break
  fi
  sleep 0.25
done
if [[ $ready != 1 ]]; then
  say "LocalStack did not become ready within 60 s; its log:"
  cat "$state/localstack.log" >&2
  exit 1
fi
export AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$state/router-port")"
say "LocalStack $(curl -s "$localstack_url/_localstack/health" | node -e 'let b="";process.stdin.on("data",(d)=>(b+=d)).on("end",()=>console.log(JSON.parse(b).version))') ready in $(seconds_since "$started") s; AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL"

status=0
say "npm run demo"
bash scripts/demo.sh || status=1
mkdir -p test-results
say "jest --selectProjects integration"
jest --selectProjects integration --ci --json --outputFile="$report" "$@" || status=1
exit $status
