#!/usr/bin/env bash
# Webhook intake, side by side: Nectr (verify + durable store + enqueue) and a Node server using @octokit/webhooks
# (verify + parse, no storage), the same signed pull_request.synchronize deliveries, the same concurrency and time.
#   bench/run-intake.sh [sqlite|postgres] [CONCURRENCY] [DURATION_SECONDS]
# Loopback only. Prints one line per server and the ratios; results go to docs/PERFORMANCE.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

db=${1:-sqlite} concurrency=${2:-64} duration=${3:-20}
secret=bench-$RANDOM$RANDOM
payload=tests/Nectr.Tests/Fixtures/webhooks/pull_request.synchronize.json
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 120); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "not up: $1" >&2; return 1; }
wait_tcp() { for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.5; done; echo "not up: port $1" >&2; return 1; }

dotnet build -c Release -nologo -v quiet bench/Nectr.Benchmarks >/dev/null  # builds src/Nectr too
(cd bench/node-intake && npm ci --no-audit --no-fund --silent)

case "$db" in
  sqlite) database_url="sqlite:///$work/nectr.db" ;;
  postgres)
    server=$(scripts/ensure-postgres.sh | tail -n 1)
    name=nectr_bench_$RANDOM
    PGPASSWORD=nectr_test psql "$(echo "$server" | sed 's|/postgres$|/postgres|')" -qc "CREATE DATABASE $name" >/dev/null
    database_url="${server%/postgres}/$name"
    ;;
  *) echo "usage: $0 [sqlite|postgres] [concurrency] [duration]" >&2; exit 2 ;;
esac

nectr_port=$(free_port) node_port=$(free_port)
(cd "$work" && APP_ENV=development LOG_LEVEL=Warning DATABASE_URL="$database_url" GITHUB_WEBHOOK_SECRET="$secret" \
  REVIEW_CONCURRENCY=0 ASPNETCORE_URLS="http://127.0.0.1:$nectr_port" \
  exec dotnet "${NECTR_DLL:-$OLDPWD/src/Nectr/bin/Release/net10.0/Nectr.dll}") >"$work/nectr.log" 2>&1 &
pids+=($!)
(PORT=$node_port WEBHOOK_SECRET=$secret exec node bench/node-intake/server.mjs) >"$work/node.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$nectr_port/health/live"
wait_tcp "$node_port"

driver=(dotnet bench/Nectr.Benchmarks/bin/Release/net10.0/Nectr.Benchmarks.dll intake --secret "$secret" --payload "$payload"
  --concurrency "$concurrency" --duration "$duration" --warmup 3 --unique-head)
nectr=$("${driver[@]}" --url "http://127.0.0.1:$nectr_port/api/v1/webhooks/github" --label "nectr ($db)" | tee /dev/stderr | grep '^RESULT ' | cut -c8-)
node=$("${driver[@]}" --url "http://127.0.0.1:$node_port/" --label "node @octokit/webhooks" | tee /dev/stderr | grep '^RESULT ' | cut -c8-)

python3 - "$nectr" "$node" <<'PY'
import json, sys
n, o = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"throughput ratio nectr/node: {n['throughput_rps'] / o['throughput_rps']:.2f}   p99 ratio nectr/node: {n['p99_ms'] / o['p99_ms']:.2f}")
PY
echo "nectr log (warnings and errors): $(grep -c -E 'warn|fail' "$work/nectr.log" || true) lines"
