#!/usr/bin/env bash
# Makes a local PostgreSQL available for the tests on a fresh machine: installs it from Debian's packages when
# missing, starts the cluster, and creates a login role that may create the per-test databases.
# Prints the connection URL on its last line. Idempotent.
set -euo pipefail

role=${NECTR_PG_ROLE:-nectr_test}
password=${NECTR_PG_PASSWORD:-nectr_test}
port=${NECTR_PG_PORT:-5432}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "PostgreSQL is not installed; installing it from Debian's packages" >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi

cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  as_root pg_createcluster "$version" main --port "$port" >&2
  cluster="$version main"
fi
if ! pg_lsclusters --no-header | awk 'NR==1 {print $4}' | grep -q online; then
  # shellcheck disable=SC2086
  as_root pg_ctlcluster $cluster start >&2
fi
port=$(pg_lsclusters --no-header | awk 'NR==1 {print $3}')

for _ in $(seq 1 30); do
  if as_root su postgres -c "psql -p $port -tAc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done

as_root su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -q" >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN CREATEDB CREATEROLE PASSWORD '$password';
  ELSE
    ALTER ROLE $role LOGIN CREATEDB CREATEROLE PASSWORD '$password';
  END IF;
END
\$\$;
-- DROP DATABASE ... WITH (FORCE) ends every session on a test database, an autovacuum worker's included, which
-- needs pg_signal_backend; without it a drop fails now and then with "must be a member of the role ...".
GRANT pg_signal_backend TO $role;
SQL

echo "postgresql://$role:$password@127.0.0.1:$port/postgres"
