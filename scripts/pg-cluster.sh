#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and demos.
#
#   scripts/pg-cluster.sh start DIR PORT   initdb into DIR/data (unless it is there), start it on
#                                          127.0.0.1:PORT, build the template database chat_template
#                                          from deploy/sql/schema.sql, print the connection settings
#   scripts/pg-cluster.sh standby DIR PORT PRIMARY_PORT
#                                          a hot standby of the cluster on 127.0.0.1:PRIMARY_PORT, streaming from
#                                          it (pg_basebackup -R), started on 127.0.0.1:PORT
#   scripts/pg-cluster.sh stop DIR         stop it (fast shutdown)
#   scripts/pg-cluster.sh restart DIR      restart it
#   scripts/pg-cluster.sh destroy DIR      stop it and remove DIR
#   scripts/pg-cluster.sh status DIR       exit 0 when it runs
#
# The superuser is `postgres`, its password PGCLUSTER_PASSWORD (default postgres-test-password).
# TCP only (no unix socket: its path under a deep temporary DIR can pass the 107-byte limit), and TCP
# connections need the password (scram-sha-256).
# Durability is off (fsync, synchronous_commit, full_page_writes): never keep data in it.
# PostgreSQL refuses to run as root: as root, DIR is handed to the `postgres` user and every
# server command runs as that user. Binaries: `pg_config --bindir`, else the newest
# /usr/lib/postgresql/*/bin.
#
# Tests copy chat_template with CREATE DATABASE ... TEMPLATE chat_template. That fails while anyone
# is connected to the template, so the script closes it to connections once it is built.
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly SCHEMA="$REPO_ROOT/deploy/sql/schema.sql"
readonly PASSWORD="${PGCLUSTER_PASSWORD:-postgres-test-password}"
readonly SUPERUSER=postgres
readonly TEMPLATE_DB=chat_template

log() { printf 'pg-cluster: %s\n' "$*" >&2; }

die() {
    printf 'pg-cluster: error: %s\n' "$*" >&2
    exit 1
}

# Like die, for failures of the server: shows the end of its log.
die_with_log() {
    printf 'pg-cluster: error: %s\n' "$*" >&2
    if [[ -n "${DIR:-}" && -f "$DIR/postgres.log" ]]; then
        printf 'pg-cluster: last lines of %s:\n' "$DIR/postgres.log" >&2
        tail -n 30 "$DIR/postgres.log" | sed 's/^/    /' >&2
    fi
    exit 1
}

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

find_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            printf '%s\n' "$dir"
            return 0
        fi
    fi
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        printf '%s\n' "$dir"
        return 0
    fi
    return 1
}

# Runs a server-side command as the cluster's owner: `postgres` when we are root, ourselves otherwise.
# From DIR, so that the command never tries to read a working directory it may not enter.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        (cd "$DIR" && runuser -u postgres -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

is_running() {
    [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

configured_port() {
    sed -n "s/^port = \([0-9]*\).*/\1/p" "$DATA/postgresql.conf" | tail -n 1
}

psql_tcp() {
    local port="$1" database="$2"
    shift 2
    PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10 "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$port" -U "$SUPERUSER" -d "$database" "$@"
}

print_settings() {
    printf 'host=127.0.0.1 port=%s user=%s\n' "$(configured_port)" "$SUPERUSER"
}

prepare_dir() {
    mkdir -p "$DIR"
    if [[ "$(id -u)" -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root, but there is no 'postgres' user to run the server as (install postgresql)"
        chown postgres: "$DIR"
        chmod 0755 "$DIR"
        runuser -u postgres -- test -w "$DIR" \
            || die "the postgres user cannot write to $DIR: every directory above it must be traversable (o+x) for it"
    fi
}

init_cluster() {
    local port="$1"
    log "initdb into $DATA"
    local pwfile="$DIR/.pwfile"
    (umask 077 && printf '%s\n' "$PASSWORD" >"$pwfile")
    if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$pwfile"; fi
    if ! as_owner "$BINDIR/initdb" -D "$DATA" -U "$SUPERUSER" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --no-sync \
        >"$DIR/initdb.log" 2>&1; then
        rm -f "$pwfile"
        cat "$DIR/initdb.log" >&2
        die "initdb failed"
    fi
    rm -f "$pwfile"
    cat >>"$DATA/postgresql.conf" <<EOF

# --- scripts/pg-cluster.sh: a throwaway cluster for tests ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
log_timezone = 'UTC'
EOF
}

build_template() {
    local port="$1"
    log "creating $TEMPLATE_DB from deploy/sql/schema.sql"
    psql_tcp "$port" postgres -c "CREATE DATABASE $TEMPLATE_DB" \
        || die_with_log "could not create database $TEMPLATE_DB"
    psql_tcp "$port" "$TEMPLATE_DB" -1 -f "$SCHEMA" \
        || die_with_log "could not load $SCHEMA into $TEMPLATE_DB"
    psql_tcp "$port" "$TEMPLATE_DB" -c "VACUUM (FREEZE, ANALYZE)" >/dev/null \
        || die_with_log "could not vacuum $TEMPLATE_DB"
    # Nobody may connect to the template from now on: CREATE DATABASE ... TEMPLATE would fail.
    psql_tcp "$port" postgres -c "ALTER DATABASE $TEMPLATE_DB WITH IS_TEMPLATE true ALLOW_CONNECTIONS false" \
        || die_with_log "could not close $TEMPLATE_DB to connections"
    touch "$DIR/.template-ready"
}

start_server() {
    log "starting PostgreSQL on 127.0.0.1:$(configured_port)"
    as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 60 start >/dev/null \
        || die_with_log "pg_ctl start failed"
}

cmd_start() {
    local port="${1:-}"
    if [[ -f "$DATA/PG_VERSION" ]]; then
        [[ -f "$DIR/.template-ready" ]] \
            || die "$DATA exists but its set-up never finished: destroy it and start again"
        if [[ -n "$port" && "$port" != "$(configured_port)" ]]; then
            die "$DATA is configured for port $(configured_port), not $port"
        fi
        is_running || start_server
        print_settings
        return 0
    fi
    [[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "start needs a TCP port (1-65535), got '${port}'"
    [[ -f "$SCHEMA" ]] || die "missing $SCHEMA"
    prepare_dir
    init_cluster "$port"
    start_server
    build_template "$port"
    log "ready"
    print_settings
}

cmd_standby() {
    local port="${1:-}" primary="${2:-}"
    [[ "$port" =~ ^[0-9]+$ && "$primary" =~ ^[0-9]+$ ]] || die "standby needs its TCP port and the primary's"
    [[ ! -f "$DATA/PG_VERSION" ]] || die "$DATA exists already"
    prepare_dir
    log "copying the cluster on 127.0.0.1:$primary into $DATA"
    # -R writes standby.signal and primary_conninfo (with the password it connected with).
    as_owner env PGPASSWORD="$PASSWORD" "$BINDIR/pg_basebackup" -h 127.0.0.1 -p "$primary" -U "$SUPERUSER" \
        -D "$DATA" -R -X stream --checkpoint=fast --no-sync >"$DIR/basebackup.log" 2>&1 \
        || { cat "$DIR/basebackup.log" >&2; die "pg_basebackup failed"; }
    printf '\n# --- scripts/pg-cluster.sh: the standby ---\nport = %s\nhot_standby = on\n' "$port" >>"$DATA/postgresql.conf"
    touch "$DIR/.template-ready"
    start_server
    log "ready (standby of 127.0.0.1:$primary)"
    print_settings
}

cmd_stop() {
    [[ -f "$DATA/PG_VERSION" ]] || die "no cluster in $DIR"
    if is_running; then
        log "stopping the cluster in $DIR"
        as_owner "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null || die_with_log "pg_ctl stop failed"
    fi
}

cmd_restart() {
    [[ -f "$DATA/PG_VERSION" ]] || die "no cluster in $DIR"
    log "restarting the cluster in $DIR"
    as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -m fast -w -t 60 restart >/dev/null \
        || die_with_log "pg_ctl restart failed"
    print_settings
}

cmd_destroy() {
    [[ -e "$DIR" ]] || return 0
    if [[ -f "$DATA/PG_VERSION" ]] && is_running; then
        as_owner "$BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 60 stop >/dev/null 2>&1 \
            || log "warning: pg_ctl stop failed; removing $DIR anyway"
    fi
    rm -rf -- "$DIR"
}

main() {
    [[ $# -ge 2 ]] || usage
    local command="$1"
    DIR="$2"
    shift 2
    [[ -n "$DIR" ]] || usage
    mkdir -p "$(dirname "$DIR")"
    DIR="$(cd "$(dirname "$DIR")" && pwd)/$(basename "$DIR")"
    DATA="$DIR/data"
    BINDIR="$(find_bindir)" || die "no PostgreSQL server binaries (initdb, pg_ctl) found: install postgresql"
    case "$command" in
        start) cmd_start "$@" ;;
        standby) cmd_standby "$@" ;;
        stop) cmd_stop ;;
        restart) cmd_restart ;;
        destroy) cmd_destroy ;;
        status) is_running ;;
        *) usage ;;
    esac
}

main "$@"
