#!/usr/bin/env bash
# A real streaming replica of the local PostgreSQL cluster (the one scripts/pg-setup.sh prepares), for trying and
# testing DATABASE_REPLICA_URL:
#
#   scripts/pg-replica.sh           create it (pg_basebackup -R) or start it, and wait until it streams
#   scripts/pg-replica.sh --stop    stop it (its data directory stays; running the script again starts it)
#   scripts/pg-replica.sh --destroy stop it and delete its data directory
#   scripts/pg-replica.sh --pause   pause WAL replay (the replica lags: it keeps answering with older data)
#   scripts/pg-replica.sh --resume  resume WAL replay
#
# The replica listens on 127.0.0.1:${REPLICA_PORT:-5433} with the primary's roles and pg_hba.conf, so the
# application's own URL works with the port changed: postgres://cop_kb:cop_kb@127.0.0.1:5433/cop_kb.
# Idempotent: when it already answers, nothing is done. A stopped replica that can no longer follow the primary
# (the WAL it needs was recycled while it was stopped) is rebuilt from a fresh base backup: it holds only a copy.
# Runs as root or as the postgres user; the primary must be up on 127.0.0.1:5432.
set -euo pipefail

PRIMARY_HOST=127.0.0.1
PRIMARY_PORT=5432
PORT=${REPLICA_PORT:-5433}
DATA=${REPLICA_DIR:-/var/lib/postgresql/cop_kb-replica}
SOCKETS=/var/run/postgresql
LOG="$DATA.log"
HBA_MARK="# cop_kb scripts/pg-replica.sh: replication over the socket"

log() { echo "pg-replica: $*"; }
die() {
	echo "!! pg-replica: ERROR: $*" >&2
	exit 1
}

# Every server-side command runs as the postgres OS user (peer authentication over the socket, files it owns).
as_postgres() {
	if [ "$(id -un)" = postgres ]; then
		"$@"
	elif [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		die "run as root or as the postgres user"
	fi
}
sql() { # sql PORT QUERY: one value, as the superuser
	as_postgres psql -X -w -q -Atq -v ON_ERROR_STOP=1 -h "$SOCKETS" -p "$1" -d postgres -c "$2"
}
replica_up() { pg_isready -q -h "$PRIMARY_HOST" -p "$PORT"; }

bin_dir() { # the replica's own version when it exists (stopping needs no primary), else the primary's
	local major
	if as_postgres test -f "$DATA/PG_VERSION"; then
		major=$(as_postgres cat "$DATA/PG_VERSION")
	else
		major=$(sql "$PRIMARY_PORT" "SELECT current_setting('server_version_num')::int / 10000")
	fi
	[ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ] || die "no /usr/lib/postgresql/$major/bin/pg_ctl"
	echo "/usr/lib/postgresql/$major/bin"
}

wait_until() { # wait_until SECONDS COMMAND...: true as soon as COMMAND succeeds
	local tries=$(($1 * 4))
	shift
	for _ in $(seq "$tries"); do
		"$@" && return 0
		sleep 0.25
	done
	return 1
}

streaming() { [ "$(sql "$PORT" "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = streaming ]; }
replayed() { # replayed LSN: the replica has replayed the primary's WAL up to LSN
	[ "$(sql "$PORT" "SELECT pg_last_wal_replay_lsn() >= '$1'::pg_lsn" 2>/dev/null)" = t ]
}

running() { [ -d "$DATA" ] && as_postgres "$(bin_dir)/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

stop() {
	if running; then
		log "stopping the replica on port $PORT"
		as_postgres "$(bin_dir)/pg_ctl" stop -D "$DATA" -m fast -w -t 30 >/dev/null
	else
		log "replica not running"
	fi
}

# The primary must accept replication connections from its own postgres user over the socket.
allow_replication() {
	local hba
	if as_postgres psql -X -w -h "$SOCKETS" -p "$PRIMARY_PORT" "dbname=replication replication=true" \
		-c IDENTIFY_SYSTEM >/dev/null 2>&1; then
		return
	fi
	hba=$(sql "$PRIMARY_PORT" "SHOW hba_file")
	log "allowing local replication connections for postgres in $hba"
	printf '%s\nlocal   replication   postgres   peer\n' "$HBA_MARK" >>"$hba"
	sql "$PRIMARY_PORT" "SELECT pg_reload_conf()" >/dev/null
}

# Debian keeps postgresql.conf outside the data directory, so the copy gets its own. A hot standby needs these
# limits at least as high as the primary's.
write_config() {
	local name settings=""
	for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
		max_locks_per_transaction; do
		settings+="$name = $(sql "$PRIMARY_PORT" "SHOW $name")"$'\n'
	done
	as_postgres tee "$DATA/postgresql.conf" >/dev/null <<CONF
# Written by cop_kb scripts/pg-replica.sh: a hot standby of the cluster on port $PRIMARY_PORT.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKETS'
hot_standby = on
shared_buffers = 32MB
$settings
CONF
	as_postgres cp "$(sql "$PRIMARY_PORT" "SHOW hba_file")" "$DATA/pg_hba.conf"
	as_postgres cp "$(sql "$PRIMARY_PORT" "SHOW ident_file")" "$DATA/pg_ident.conf"
}

create() {
	allow_replication
	log "base backup of the primary into $DATA"
	as_postgres rm -rf "$DATA"
	as_postgres "$(bin_dir)/pg_basebackup" -h "$SOCKETS" -p "$PRIMARY_PORT" -U postgres -D "$DATA" \
		-R -X stream -c fast
	write_config
}

# A hot standby accepts connections once it has a consistent snapshot of the primary's transactions: at once
# usually, later while a primary transaction holding more than 64 savepoints is open (a test module's transaction).
start() {
	if ! running; then
		log "starting the replica on port $PORT (log: $LOG)"
		as_postgres "$(bin_dir)/pg_ctl" start -D "$DATA" -l "$LOG" -W >/dev/null
	fi
	wait_until 120 replica_up || die "the replica does not accept connections after 120 s (see $LOG)"
}

up() {
	pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" \
		|| die "the primary does not answer on $PRIMARY_HOST:$PRIMARY_PORT (run scripts/pg-setup.sh)"
	if replica_up; then
		[ "$(sql "$PORT" "SELECT pg_is_in_recovery()")" = t ] || die "port $PORT answers but is not a replica"
		log "replica already up on $PRIMARY_HOST:$PORT"
		return
	fi
	if [ -f "$DATA/standby.signal" ]; then
		start
		if ! wait_until 15 streaming; then
			log "the replica cannot follow the primary any more: rebuilding it"
			stop
			create
			start
		fi
	else
		create
		start
	fi
	wait_until 30 streaming || die "the replica does not stream from the primary (see $LOG)"
	# Ready means caught up: every database the primary has now is there.
	wait_until 60 replayed "$(sql "$PRIMARY_PORT" "SELECT pg_current_wal_lsn()")" \
		|| die "the replica did not catch up with the primary within 60 s (see $LOG)"
	log "ready: streaming replica on $PRIMARY_HOST:$PORT"
}

set_replay() { # set_replay pause|resume
	replica_up || die "the replica is not running"
	sql "$PORT" "SELECT pg_wal_replay_$1()" >/dev/null
	log "WAL replay: $(sql "$PORT" "SELECT pg_get_wal_replay_pause_state()")"
}

case "${1:-}" in
"") up ;;
--stop) stop ;;
--destroy)
	stop
	log "removing $DATA"
	as_postgres rm -rf "$DATA" "$LOG"
	;;
--pause) set_replay pause ;;
--resume) set_replay resume ;;
*) die "unknown argument ${1} (none, --stop, --destroy, --pause or --resume)" ;;
esac
