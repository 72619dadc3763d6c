#!/usr/bin/env bash
# Makes a Chromium available for the Playwright dashboard tests on a fresh machine: Debian's `chromium` package,
# installed when missing. Playwright's own browser download (`playwright install`) is never used: the tests launch
# this binary through ExecutablePath with the Node driver the Microsoft.Playwright package ships.
# Prints the browser's path on its last line. Idempotent. NECTR_CHROMIUM, when set, is used as it is.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -n "${NECTR_CHROMIUM:-}" ]; then
  [ -x "$NECTR_CHROMIUM" ] || { echo "NECTR_CHROMIUM=$NECTR_CHROMIUM is not an executable file" >&2; exit 1; }
  echo "$NECTR_CHROMIUM"
  exit 0
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "Chromium is not installed; installing Debian's chromium package" >&2
  if ! { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium; } >&2; then
    echo "Could not install chromium with apt-get. Install it by hand (apt-get install -y chromium) or set NECTR_CHROMIUM to a Chromium binary." >&2
    exit 1
  fi
fi

command -v chromium
