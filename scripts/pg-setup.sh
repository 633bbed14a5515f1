#!/usr/bin/env bash
# Make sure a local PostgreSQL answers on 127.0.0.1:5432 and holds what `make test-postgres` needs:
#   * role cop_kb (password cop_kb, LOGIN CREATEDB) and database cop_kb owned by it;
#   * extensions pg_trgm and unaccent in template1, so pytest's test_cop_kb database is born with them.
# Idempotent: safe to run any number of times. Starts the cluster if it is down and, when run as root,
# installs PostgreSQL from Debian's packages if it is missing. Fails loudly (exit 1) if the server still
# cannot be used: CI must never silently skip the PostgreSQL run.
set -euo pipefail

HOST=127.0.0.1
PORT=5432
ROLE=cop_kb
PASSWORD=cop_kb
DB=cop_kb

# Keep psql quiet about "already exists, skipping".
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

log() { echo "pg-setup: $*"; }
die() {
	{
		echo
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		echo "!! pg-setup: ERROR: $*"
		echo "!! PostgreSQL on $HOST:$PORT is not usable; the PostgreSQL tests cannot run."
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	} >&2
	exit 1
}

is_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT"; }

if is_up; then
	log "server already accepting connections on $HOST:$PORT"
else
	if [ ! -d /etc/postgresql ] || [ -z "$(ls -A /etc/postgresql)" ]; then
		[ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and this is not root (install package 'postgresql')"
		log "PostgreSQL not installed: apt-get install postgresql"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update
		apt-get install -y --no-install-recommends postgresql
	fi
	if ! is_up; then
		version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
		[ -n "$version" ] || die "no cluster found under /etc/postgresql"
		log "starting cluster $version/main"
		pg_ctlcluster --skip-systemctl-redirect "$version" main start \
			|| log "pg_ctlcluster $version main start failed; waiting anyway in case it is already starting"
	fi
	log "waiting up to 30 s for $HOST:$PORT"
	for _ in $(seq 60); do
		is_up && break
		sleep 0.5
	done
	is_up || die "server did not start within 30 s (see /var/log/postgresql/)"
	log "server is up"
fi

# A superuser session: TCP as postgres (trust or ~/.pgpass), else the postgres OS user over the socket.
if psql -X -w -h "$HOST" -p "$PORT" -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
	su_psql() { psql -X -w -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U postgres "$@"; }
	log "superuser access: psql -h $HOST -U postgres"
elif [ "$(id -u)" -eq 0 ] && runuser -u postgres -- psql -X -w -p "$PORT" -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
	su_psql() { runuser -u postgres -- psql -X -w -q -v ON_ERROR_STOP=1 -p "$PORT" "$@"; }
	log "superuser access: runuser -u postgres -- psql"
else
	die "no superuser access (tried 'psql -h $HOST -U postgres' and 'runuser -u postgres -- psql')"
fi

log "extensions pg_trgm and unaccent in template1"
su_psql -d template1 -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm' -c 'CREATE EXTENSION IF NOT EXISTS unaccent'

log "role $ROLE and database $DB"
su_psql -d postgres <<SQL
SELECT format('CREATE ROLE %I', '$ROLE') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
ALTER ROLE "$ROLE" LOGIN CREATEDB PASSWORD '$PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB', '$ROLE')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB') \gexec
SQL
# A database made before the extensions were in template1 gets them here.
su_psql -d "$DB" -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm' -c 'CREATE EXTENSION IF NOT EXISTS unaccent'

# The check that matters: the application's own login over TCP.
PGPASSWORD="$PASSWORD" psql -X -w -h "$HOST" -p "$PORT" -U "$ROLE" -d "$DB" -Atqc 'SELECT 1' >/dev/null \
	|| die "cannot log in as $ROLE to database $DB"
log "ready: postgres://$ROLE:$PASSWORD@$HOST:$PORT/$DB"
