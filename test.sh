#!/usr/bin/env bash
# Runs every test suite the way CI does, on a fresh machine or this one:
#   1. installs/starts what the tests need (PostgreSQL, Debian's chromium for the Playwright dashboard tests, and
#      Debian's nginx for the reverse-proxy test, which runs its own instance, and the Node programs the MCP tests
#      drive, from tests/node/package-lock.json; webhook and OpenAPI fixtures are committed),
#   2. builds the solution once,
#   3. runs each test project (integration tests run against SQLite and PostgreSQL),
#   4. ends with the line "N passed, N failed".
# A test that hangs is named after 120 s (--long-running) and the project is stopped after 25 minutes (--timeout),
# (coreutils `timeout` stops it at 30 if even that fails), so a hang is a failure with a name, never a CI run that
# times out in silence.
set -uo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

if ! NECTR_TEST_POSTGRES=$(scripts/ensure-postgres.sh | tail -n 1); then
  echo "PostgreSQL could not be started; see the messages above."
  echo "0 passed, 1 failed"
  exit 1
fi
export NECTR_TEST_POSTGRES

if ! NECTR_CHROMIUM=$(scripts/ensure-chromium.sh | tail -n 1); then
  echo "Chromium could not be installed; see the messages above."
  echo "0 passed, 1 failed"
  exit 1
fi
export NECTR_CHROMIUM

if ! NECTR_NGINX=$(scripts/ensure-nginx.sh | tail -n 1); then
  echo "nginx could not be installed; see the messages above."
  echo "0 passed, 1 failed"
  exit 1
fi
export NECTR_NGINX

if ! NECTR_NODE_TOOLS=$(scripts/ensure-node-tools.sh | tail -n 1); then
  echo "The Node test tools (MCP reference server, TypeScript SDK, conformance suite) could not be installed; see the messages above."
  echo "0 passed, 1 failed"
  exit 1
fi
export NECTR_NODE_TOOLS
# Screenshots of every dashboard page, kept after the run (the per-run results folder is removed on exit).
export NECTR_SCREENSHOTS="$PWD/artifacts/screenshots"

if ! dotnet build Nectr.slnx -c Release -warnaserror -nologo -v quiet; then
  echo "The build failed; see the errors above."
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0 failed=0 skipped=0 status=0
for project in tests/Nectr.Engine.Tests tests/Nectr.Tests tests/Nectr.E2E; do
  name=$(basename "$project")
  echo "== $name"
  timeout -k 60 30m dotnet test --project "$project" -c Release --no-build --results-directory "$results/$name" \
    --report-xunit-trx --report-xunit-trx-filename "$name.trx" --long-running 120 --timeout 25m 2>&1 | tee "$results/$name.log"
  code=${PIPESTATUS[0]}
  trx="$results/$name/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
    p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
  else
    failed=$((failed + 1))
  fi
  [ "$code" -eq 0 ] || status=1
  # Name each failed test and the start of its message again here, next to the total, since a CI log that shows only
  # its tail would otherwise lose them among the log lines above.
  # The TRX is one long line (a message may add a few), so records are cut at each <UnitTestResult, not at newlines.
  [ -f "$trx" ] && awk -v project="$name" '
    BEGIN { RS = "<UnitTestResult " }
    NR > 1 && /^[^>]*outcome="Failed"/ {
      match($0, /testName="[^"]*"/); print "FAILED " project ": " unescape(substr($0, RSTART + 10, RLENGTH - 11))
      if (match($0, /<Message>/)) {
        message = substr($0, RSTART + 9); end = index(message, "</Message>"); if (end) message = substr(message, 1, end - 1)
        n = split(unescape(message), lines, "\n"); for (i = 1; i <= n && i <= 4; i++) print "    " lines[i]
      }
    }
    function unescape(text) {
      gsub(/&quot;/, "\"", text); gsub(/&apos;/, "\047", text); gsub(/&lt;/, "<", text); gsub(/&gt;/, ">", text)
      gsub(/&#xD;/, "", text); gsub(/&#xA;/, "\n", text); gsub(/&amp;/, "\\&", text); return text
    }' "$trx" >> "$results/failures.txt"
done

[ -s "$results/failures.txt" ] && cat "$results/failures.txt"

[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
