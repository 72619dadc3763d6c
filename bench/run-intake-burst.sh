#!/usr/bin/env bash
# Memory before authentication (issue #8): CONCURRENCY posts of SIZE_MB each with a bogus signature, ROUNDS times,
# against a real Nectr process on SQLite; prints its RSS before, at the peak, right after and after settling.
#   bench/run-intake-burst.sh [CONCURRENCY=48] [SIZE_MB=25] [ROUNDS=3] [extra NAME=VALUE settings for Nectr...]
# e.g. bench/run-intake-burst.sh 48 25 3 WEBHOOK_MAX_INFLIGHT_MB=512; NECTR_DLL=path/to/Nectr.dll measures another build.
# Loopback only; results go to docs/PERFORMANCE.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

concurrency=${1:-48} size=${2:-25} rounds=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 120); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "not up: $1" >&2; return 1; }

dotnet build -c Release -nologo -v quiet bench/Nectr.Benchmarks >/dev/null  # builds src/Nectr too
port=$(free_port)
(cd "$work" && env APP_ENV=development LOG_LEVEL=Warning DATABASE_URL="sqlite:///$work/nectr.db" GITHUB_WEBHOOK_SECRET=bench-burst-secret \
  REVIEW_CONCURRENCY=0 ASPNETCORE_URLS="http://127.0.0.1:$port" "$@" \
  dotnet "${NECTR_DLL:-$OLDPWD/src/Nectr/bin/Release/net10.0/Nectr.dll}") >"$work/nectr.log" 2>&1 &
pid=$!
wait_http "http://127.0.0.1:$port/health/live"
sleep 2  # let start-up settle before the baseline

dotnet bench/Nectr.Benchmarks/bin/Release/net10.0/Nectr.Benchmarks.dll intake-burst --url "http://127.0.0.1:$port/api/v1/webhooks/github" \
  --pid "$pid" --concurrency "$concurrency" --size-mb "$size" --rounds "$rounds" --label "nectr ${*:-default settings}"
echo "nectr log: $(grep -c -E '^(warn|fail)' "$work/nectr.log" || true) warn/fail lines, $(grep -c -E '^fail' "$work/nectr.log" || true) fail"
