#!/usr/bin/env bash
# Makes Debian's nginx available for the reverse-proxy E2E test on a fresh machine: installs the package when
# missing. The system service is never started or enabled: the test runs its own nginx with its own configuration
# in a temporary prefix (`nginx -p DIR -c DIR/nginx.conf`) on a free loopback port, and stops it at the end.
# Prints the nginx binary's path on its last line. Idempotent. NECTR_NGINX, when set, is used as it is.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -n "${NECTR_NGINX:-}" ]; then
  [ -x "$NECTR_NGINX" ] || { echo "NECTR_NGINX=$NECTR_NGINX is not an executable file" >&2; exit 1; }
  echo "$NECTR_NGINX"
  exit 0
fi

find_nginx() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }

if [ -z "$(find_nginx)" ]; then
  echo "nginx is not installed; installing Debian's nginx package (the service is not started)" >&2
  # policy-rc.d exit code 101 tells Debian's maintainer scripts not to start the service they install.
  policy=/usr/sbin/policy-rc.d
  created_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    created_policy=1
  fi
  status=0
  { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nginx; } >&2 || status=$?
  [ -z "$created_policy" ] || as_root rm -f "$policy"
  if [ "$status" -ne 0 ]; then
    echo "Could not install nginx with apt-get. Install it by hand (apt-get install -y nginx) or set NECTR_NGINX to an nginx binary." >&2
    exit 1
  fi
fi

find_nginx
