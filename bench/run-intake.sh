#!/usr/bin/env bash
# Webhook intake, side by side: Nectr (verify + durable store + enqueue) and a Node server using @octokit/webhooks
# (verify + parse, no storage), the same signed pull_request.synchronize deliveries, the same concurrency and time.
#   bench/run-intake.sh [sqlite|postgres|both] [CONCURRENCY=64] [DURATION_SECONDS=20] [extra NAME=VALUE settings for Nectr...]
# e.g. bench/run-intake.sh both 64 600 (the 10-minute RSS run); NECTR_DLL=path/to/Nectr.dll measures another build.
# Each server first gets WARMUP_SECONDS (40) of the same load, unmeasured: on 2 cores the JIT tiers Nectr up for about
# 20 s, a third of the CPU, and still took a tenth of it 15-25 s in (none at 50 s), which a long-running server pays once.
# For each database: one line per server, with CPU per request (the server process's, the driver's, and how busy the
# machine's cores were; PostgreSQL's own processes count in "busy", not in "server"), the ratios, and Nectr's RSS
# (VmRSS of its process, sampled every second while it is loaded). Loopback only; results go to docs/PERFORMANCE.md
# by hand, with the load average printed here. Delivery ids are time-based UUIDs as GitHub's are; RANDOM_DELIVERY_IDS=1
# sends random ones, as the driver did before round 7 of PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:-sqlite} concurrency=${2:-64} duration=${3:-20}
shift $(( $# < 3 ? $# : 3 ))
case "$which" in
  sqlite|postgres) databases=("$which") ;;
  both) databases=(sqlite postgres) ;;
  *) echo "usage: $0 [sqlite|postgres|both] [concurrency] [duration] [NAME=VALUE ...]" >&2; exit 2 ;;
esac
secret=bench-$RANDOM$RANDOM
payload=tests/Nectr.Tests/Fixtures/webhooks/pull_request.synchronize.json
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 120); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "not up: $1" >&2; return 1; }
wait_tcp() { for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.5; done; echo "not up: port $1" >&2; return 1; }
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

dotnet build -c Release -nologo -v quiet bench/Nectr.Benchmarks >/dev/null  # builds src/Nectr too
(cd bench/node-intake && npm ci --no-audit --no-fund --silent)
driver=(dotnet bench/Nectr.Benchmarks/bin/Release/net10.0/Nectr.Benchmarks.dll intake --secret "$secret" --payload "$payload"
  --concurrency "$concurrency" --duration "$duration" --warmup "${WARMUP_SECONDS:-40}" --unique-head ${RANDOM_DELIVERY_IDS:+--random-delivery-ids})

node_port=$(free_port)
(PORT=$node_port WEBHOOK_SECRET=$secret exec node bench/node-intake/server.mjs) >"$work/node.log" 2>&1 &
node_pid=$!
pids+=("$node_pid")
wait_tcp "$node_port"

for db in "${databases[@]}"; do
  case "$db" in
    sqlite) database_url="sqlite:///$work/nectr-$RANDOM.db" ;;
    postgres)
      server=$(scripts/ensure-postgres.sh | tail -n 1)
      name=nectr_bench_$RANDOM
      PGPASSWORD=nectr_test psql "$server" -qc "CREATE DATABASE $name" >/dev/null
      database_url="${server%/postgres}/$name"
      ;;
  esac

  nectr_port=$(free_port)
  (cd "$work" && exec env APP_ENV=development LOG_LEVEL=Warning DATABASE_URL="$database_url" GITHUB_WEBHOOK_SECRET="$secret" \
    REVIEW_CONCURRENCY=0 ASPNETCORE_URLS="http://127.0.0.1:$nectr_port" "$@" \
    dotnet "${NECTR_DLL:-$OLDPWD/src/Nectr/bin/Release/net10.0/Nectr.dll}") >"$work/nectr-$db.log" 2>&1 &
  nectr_pid=$!
  pids+=("$nectr_pid")
  wait_http "http://127.0.0.1:$nectr_port/health/live"

  echo "== $db, $concurrency concurrent, ${duration} s; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  rss_file="$work/rss-$db.txt"
  (while kill -0 "$nectr_pid" 2>/dev/null; do rss_mb "$nectr_pid" >>"$rss_file"; echo >>"$rss_file"; sleep 1; done) &
  sampler=$!
  nectr=$("${driver[@]}" --url "http://127.0.0.1:$nectr_port/api/v1/webhooks/github" --label "nectr ($db)" --server-pid "$nectr_pid" | grep '^RESULT ' | cut -c8-)
  echo "nectr ($db): $nectr"
  kill "$sampler" 2>/dev/null || true
  kill "$nectr_pid" 2>/dev/null || true
  node=$("${driver[@]}" --url "http://127.0.0.1:$node_port/" --label "node @octokit/webhooks" --server-pid "$node_pid" | grep '^RESULT ' | cut -c8-)
  echo "node: $node"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

  python3 - "$nectr" "$node" "$rss_file" <<'PY'
import json, sys
n, o = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"throughput ratio nectr/node: {n['throughput_rps'] / o['throughput_rps']:.2f}   p99 ratio nectr/node: {n['p99_ms'] / o['p99_ms']:.2f}")
def cpu(r): return f"server {r.get('server_cpu_us_per_request')} µs, driver {r.get('driver_cpu_us_per_request')} µs, machine busy {r.get('machine_busy_percent')} %"
print(f"CPU per request: nectr {cpu(n)}; node {cpu(o)}")
rss = [int(line) for line in open(sys.argv[3]) if line.strip()]
if rss:
    step = max(1, len(rss) // 20)
    quarter = max(1, len(rss) // 4)
    first, last = rss[:quarter], rss[-quarter:]
    print(f"nectr RSS MB, one sample per {step} s: {' '.join(str(r) for r in rss[::step])}")
    print(f"nectr RSS MB: start {rss[0]}, max {max(rss)}, end {rss[-1]}; mean of the last quarter minus the first: "
          f"{sum(last) / len(last) - sum(first) / len(first):+.0f}")
PY
  echo "nectr log (warnings and errors): $(grep -c -E 'warn|fail' "$work/nectr-$db.log" || true) lines"
  grep -m 3 -A 2 -E "warn|fail" "$work/nectr-$db.log" | cut -c1-300 || true
done
