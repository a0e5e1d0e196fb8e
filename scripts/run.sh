#!/usr/bin/env bash
# The run command: builds chat-exporter and runs it. Works from nothing on a fresh Debian 12 machine with Swift at
# /opt/swift.
#
#   scripts/run.sh                        a demo: throwaway PostgreSQL + sample data + activity simulator + exporter
#   scripts/run.sh --with-prometheus      the same, plus Prometheus (with alerts/*.rules.yml) and Alertmanager
#   DATABASE_URL=postgresql://... scripts/run.sh
#                                         just the exporter, against that database
#
# Options:
#   --port N            the exporter's port (default 9488; it listens on every interface)
#   --with-prometheus   also start Prometheus and Alertmanager on free local ports, with temporary storage
#   --no-build          do not build; run CHAT_EXPORTER_BIN, --binary, or the newest existing build
#   --binary PATH       the chat-exporter binary to run (implies --no-build)
#   --duration SECONDS  stop cleanly after that long (once everything is up); default: until Ctrl-C
#   --interval D        how often the collectors run on the demo database (default 5s, so that the numbers
#                       move; "default" keeps the shipped intervals). Not used with a database of your own
#   --simulator-interval SECONDS
#                       pause between two rounds of the activity simulator (default 2)
#   -h, --help          this text
#   -- ARGS             further arguments for `chat-exporter serve`
#
# A database is "given" when DATA_SOURCE_NAME, DATA_SOURCE_URI (or DATA_SOURCE_URI_FILE), DATABASE_URL or DB_HOST is
# set; then no PostgreSQL is started and the exporter connects as those say (PGHOST or PGSERVICE alone is not).
# Otherwise: a PostgreSQL cluster (scripts/pg-cluster.sh) in a temporary directory, a `demo` database (schema from
# chat_template, scripts/demo-data.sql, deploy/sql/indexes.sql, the roles of deploy/sql/role.sql),
# scripts/demo/simulator.sh, and the exporter as the read-only chat_exporter role.
#
# Ctrl-C, SIGTERM, the end of --duration, or any failure stops everything this script started and removes its
# temporary directory. Exit status: 0 after --duration, 130 after Ctrl-C (143 after SIGTERM), 1 when something
# failed (the exporter exited, a step did not work), 2 for bad options.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly REPO_ROOT="$PWD"

PORT=9488
WITH_PROMETHEUS=0
BUILD=1
BINARY="${CHAT_EXPORTER_BIN:-}"
DURATION=""
INTERVAL="5s"
SIM_INTERVAL=2
EXTRA_ARGS=()

log() { printf 'run.sh: %s\n' "$*" >&2; }
fail() {
    printf 'run.sh: error: %s\n' "$*" >&2
    exit 1
}
usage_error() {
    printf 'run.sh: %s (see --help)\n' "$*" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --port) [[ $# -ge 2 ]] || usage_error "--port needs a value"; PORT="$2"; shift 2 ;;
        --port=*) PORT="${1#*=}"; shift ;;
        --with-prometheus) WITH_PROMETHEUS=1; shift ;;
        --no-build) BUILD=0; shift ;;
        --binary) [[ $# -ge 2 ]] || usage_error "--binary needs a path"; BINARY="$2"; BUILD=0; shift 2 ;;
        --binary=*) BINARY="${1#*=}"; BUILD=0; shift ;;
        --duration) [[ $# -ge 2 ]] || usage_error "--duration needs a value"; DURATION="$2"; shift 2 ;;
        --duration=*) DURATION="${1#*=}"; shift ;;
        --interval) [[ $# -ge 2 ]] || usage_error "--interval needs a value"; INTERVAL="$2"; shift 2 ;;
        --interval=*) INTERVAL="${1#*=}"; shift ;;
        --simulator-interval) [[ $# -ge 2 ]] || usage_error "--simulator-interval needs a value"; SIM_INTERVAL="$2"; shift 2 ;;
        --simulator-interval=*) SIM_INTERVAL="${1#*=}"; shift ;;
        -h | --help) sed -n '2,/^set -euo/{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; EXTRA_ARGS=("$@"); break ;;
        *) usage_error "unknown option '$1'" ;;
    esac
done
[[ "$PORT" =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || usage_error "--port must be a TCP port (1-65535), got '$PORT'"
for extra in "${EXTRA_ARGS[@]}"; do
    [[ "$extra" == --web.listen-address* ]] && usage_error "give the port with --port N, not -- --web.listen-address (the exporter takes one address)"
done
[[ -z "$DURATION" || "$DURATION" =~ ^[0-9]+$ ]] || usage_error "--duration must be a whole number of seconds, got '$DURATION'"
[[ "$SIM_INTERVAL" =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage_error "--simulator-interval must be a number of seconds, got '$SIM_INTERVAL'"

DATABASE_GIVEN=0
if [[ -n "${DATA_SOURCE_NAME:-}" || -n "${DATA_SOURCE_URI:-}" || -n "${DATA_SOURCE_URI_FILE:-}" \
    || -n "${DATABASE_URL:-}" || -n "${DB_HOST:-}" ]]; then
    DATABASE_GIVEN=1
elif [[ -n "${PGHOST:-}" || -n "${PGSERVICE:-}" ]]; then
    echo "run.sh: PGHOST or PGSERVICE alone does not name a database of your own here (a shell may set them for" \
        "psql): starting the demo. Set DATA_SOURCE_NAME, DATA_SOURCE_URI, DATABASE_URL or DB_HOST to use yours." >&2
fi

# ---------------------------------------------------------------------------------------------------------------
# Everything started is recorded here, and the trap stops it, whatever ends the script.
# ---------------------------------------------------------------------------------------------------------------
WORK_DIR=""
CLUSTER_DIR=""
PIDS=()     # background processes, stopped in reverse order
SLEEPER=""

stop_process() {
    local pid="$1" name="$2" waited=0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < 100)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name (pid $pid) did not stop within 10 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$? index entry
    trap - EXIT INT TERM PIPE
    # Our output may be a pipe whose reader is gone (`| tee` under Ctrl-C, `| head`): a write must fail, not kill
    # the shell halfway through stopping what it started.
    trap '' PIPE
    set +e
    [[ -n "$SLEEPER" ]] && kill "$SLEEPER" 2>/dev/null
    if ((${#PIDS[@]} > 0)); then
        log "stopping what it started"
        for ((index = ${#PIDS[@]} - 1; index >= 0; index--)); do
            entry="${PIDS[$index]}"
            stop_process "${entry%%:*}" "${entry#*:}"
        done
    fi
    if [[ -n "$CLUSTER_DIR" && -d "$CLUSTER_DIR" ]]; then
        bash "$REPO_ROOT/scripts/pg-cluster.sh" destroy "$CLUSTER_DIR" >/dev/null 2>&1 \
            || log "warning: could not stop the PostgreSQL cluster in $CLUSTER_DIR"
    fi
    if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then
        rm -rf -- "$WORK_DIR"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE  # a closed output pipe ends the run through cleanup, not by the signal's default death

# Starts a program in the background (its output to LOGFILE, or to ours without one) and records it.
start_background() {
    local name="$1" logfile="$2"
    shift 2
    if [[ -n "$logfile" ]]; then
        "$@" >"$logfile" 2>&1 &
    else
        "$@" &
    fi
    PIDS+=("$!:$name")
    LAST_PID=$!
}

# ---------------------------------------------------------------------------------------------------------------
# Packages, Swift, the build.
# ---------------------------------------------------------------------------------------------------------------
install_packages() {
    local packages=(libpq-dev libmicrohttpd-dev libyaml-dev zlib1g-dev pkg-config curl ca-certificates)
    ((DATABASE_GIVEN)) || packages+=(postgresql)
    ((WITH_PROMETHEUS)) && packages+=(prometheus prometheus-alertmanager)
    local missing=() package
    for package in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
            missing+=("$package")
        fi
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    log "installing ${missing[*]}"
    local sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || fail "missing packages (${missing[*]}) and not root: install them first"
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
}

find_swift() {
    command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
    command -v swift >/dev/null 2>&1 || fail "swift not found on PATH nor in /opt/swift/usr/bin"
}

build() {
    find_swift
    # The shipped build (scripts/build-release.sh): release, the Swift runtime and FoundationEssentials linked in, the
    # code the running exporter uses grouped; it needs no Swift installation beside it (docs/benchmarks.md).
    log "building chat-exporter (scripts/build-release.sh)"
    BINARY="$(bash "$REPO_ROOT/scripts/build-release.sh" | tail -n 1)"
}

find_binary() {
    if [[ -n "$BINARY" ]]; then
        [[ -x "$BINARY" ]] || fail "$BINARY is not an executable file"
        return 0
    fi
    # The newest of the release and debug builds (scripts/test.sh refreshes only the debug one).
    local candidate
    for candidate in "$REPO_ROOT/.build/release/chat-exporter" "$REPO_ROOT/.build/debug/chat-exporter"; do
        if [[ -x "$candidate" ]] && { [[ -z "$BINARY" ]] || [[ "$candidate" -nt "$BINARY" ]]; }; then
            BINARY="$candidate"
        fi
    done
    [[ -n "$BINARY" ]] && return 0
    fail "--no-build, but no chat-exporter binary: build it first (scripts/build-release.sh), or set CHAT_EXPORTER_BIN"
}

# ---------------------------------------------------------------------------------------------------------------
# Ports and waiting.
# ---------------------------------------------------------------------------------------------------------------
# The exporter listens on every address (":PORT"), IPv4 and IPv6: a listener on either is in the way.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    (exec 3<>"/dev/tcp/::1/$1") 2>/dev/null
}

# shellcheck source=scripts/lib/ports.sh
source "$REPO_ROOT/scripts/lib/ports.sh"

# pick_port VAR: sets VAR to a TCP port on 127.0.0.1 nobody listens on, below the ephemeral range (quiet_port),
# never the exporter's and never one picked before.
TAKEN_PORTS=""
pick_port() {
    local port
    # shellcheck disable=SC2086 # one excluded port per word
    port="$(quiet_port "$PORT" $TAKEN_PORTS)" || fail "no free TCP port found"
    TAKEN_PORTS+=" $port"
    printf -v "$1" '%s' "$port"
}

# wait_for DESCRIPTION TIMEOUT_SECONDS PID COMMAND...: polls COMMAND until it succeeds; fails when PID exits first
# or the deadline passes.
wait_for() {
    local description="$1" timeout="$2" pid="$3"
    shift 3
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            local status=0
            wait "$pid" 2>/dev/null || status=$?
            fail "waiting until $description: it exited first (status $status; its log is above)"
        fi
        ((SECONDS < deadline)) || fail "waiting until $description: not within ${timeout} s"
        sleep 0.2
    done
}

http_ok() { curl -fs --max-time 2 -o /dev/null "$1"; }  # a question: silent either way

# ---------------------------------------------------------------------------------------------------------------
# The demo database.
# ---------------------------------------------------------------------------------------------------------------
find_pg_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        [[ -n "$dir" && -x "$dir/psql" ]] && { printf '%s\n' "$dir"; return 0; }
    fi
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$dir" && -x "$dir/psql" ]] && { printf '%s\n' "$dir"; return 0; }
    return 1
}

random_secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

start_demo_database() {
    local bindir
    bindir="$(find_pg_bindir)" || fail "no PostgreSQL programs found: install postgresql"
    PSQL="$bindir/psql"
    pick_port PG_PORT
    PG_PASSWORD="$(random_secret)"
    CLUSTER_DIR="$WORK_DIR/pg"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    PGCLUSTER_PASSWORD="$PG_PASSWORD" bash "$REPO_ROOT/scripts/pg-cluster.sh" start "$CLUSTER_DIR" "$PG_PORT" >/dev/null \
        || fail "PostgreSQL did not start"

    export PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=postgres PGPASSWORD="$PG_PASSWORD" PGDATABASE=demo PGCONNECT_TIMEOUT=10
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE demo TEMPLATE chat_template" \
        || fail "could not create the demo database"
    log "loading scripts/demo-data.sql (50 teachers, ~300 students, ~2,600 bookings, ~10,000 messages)"
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -f "$REPO_ROOT/scripts/demo-data.sql" >/dev/null || fail "could not load the demo data"
    # Warnings and errors only: a first apply notes the replaced indexes it does not find to drop.
    PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 -f "$REPO_ROOT/deploy/sql/indexes.sql" >/dev/null \
        || fail "could not create the indexes"
    EXPORTER_PASSWORD="$(random_secret)"
    BACKFILL_PASSWORD="$(random_secret)"
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -v exporter_password="$EXPORTER_PASSWORD" -v backfill_password="$BACKFILL_PASSWORD" \
        -f "$REPO_ROOT/deploy/sql/role.sql" >/dev/null || fail "could not create the roles of deploy/sql/role.sql"

    EXPORTER_DSN="host=127.0.0.1 port=$PG_PORT dbname=demo user=chat_exporter password=$EXPORTER_PASSWORD"
    BACKFILL_DSN="host=127.0.0.1 port=$PG_PORT dbname=demo user=chat_backfill password=$BACKFILL_PASSWORD"
}

start_simulator() {
    log "starting the activity simulator (a round every ${SIM_INTERVAL} s)"
    start_background simulator "$WORK_DIR/simulator.log" \
        env PSQL="$PSQL" SIM_INTERVAL="$SIM_INTERVAL" SIM_PARENT_PID="$$" bash "$REPO_ROOT/scripts/demo/simulator.sh"
}

# The shipped collectors with every interval and timeout set to INTERVAL, so that the demo moves; checked with
# `chat-exporter validate`, else the embedded defaults.
demo_collectors() {
    DEMO_CONFIG_ARGS=()
    [[ "$INTERVAL" == "default" ]] && return 0
    local file="$WORK_DIR/collectors.yml"
    sed -E "s/^([[:space:]]*)(interval|timeout):[[:space:]]*[0-9a-z]+[[:space:]]*$/\1\2: $INTERVAL/" \
        "$REPO_ROOT/collectors/default.yml" >"$file"
    if "$BINARY" validate --config.file "$file" >/dev/null 2>&1; then
        DEMO_CONFIG_ARGS=(--config.file "$file")
    else
        log "warning: the collectors with a $INTERVAL interval do not validate; using the shipped intervals"
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# Prometheus and Alertmanager.
# ---------------------------------------------------------------------------------------------------------------
start_prometheus() {
    command -v prometheus >/dev/null 2>&1 || fail "prometheus is not installed"
    command -v prometheus-alertmanager >/dev/null 2>&1 || fail "prometheus-alertmanager is not installed"
    pick_port AM_PORT
    pick_port PROM_PORT
    mkdir -p "$WORK_DIR/alertmanager" "$WORK_DIR/prometheus"

    # The shipped routes and inhibitions (deploy/alertmanager/alertmanager.yml), with its receivers kept by name but
    # sending nowhere: the demo shows where each alert would go, and pages nobody.
    {
        printf '# The demo'"'"'s Alertmanager: deploy/alertmanager/alertmanager.yml without its receivers'"'"' webhooks.\n'
        awk '/^receivers:/ { in_receivers = 1; print; next }
             /^[^ #]/ { in_receivers = 0 }
             in_receivers && /^  - name:/ { print; next }
             !in_receivers { print }' "$REPO_ROOT/deploy/alertmanager/alertmanager.yml"
    } >"$WORK_DIR/alertmanager.yml"

    local rule_files=() file
    for file in "$REPO_ROOT"/alerts/*.rules.yml; do
        [[ -f "$file" ]] || continue
        if ! command -v promtool >/dev/null 2>&1 || promtool check rules "$file" >/dev/null 2>&1; then
            rule_files+=("$file")
        else
            log "warning: $file does not pass promtool check rules: not loaded"
        fi
    done
    {
        printf '# The demo'"'"'s Prometheus: scrapes the exporter, evaluates the shipped alerts.\n'
        printf 'global:\n  scrape_interval: 5s\n  scrape_timeout: 4s\n  evaluation_interval: 5s\n'
        printf 'rule_files:\n'
        for file in "${rule_files[@]}"; do printf '  - %s\n' "$file"; done
        ((${#rule_files[@]} > 0)) || printf '  []\n'
        printf 'alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ["127.0.0.1:%s"]\n' "$AM_PORT"
        printf 'scrape_configs:\n  - job_name: chat-exporter\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$PORT"
    } >"$WORK_DIR/prometheus.yml"

    log "starting Alertmanager on 127.0.0.1:$AM_PORT"
    start_background alertmanager "$WORK_DIR/alertmanager.log" \
        prometheus-alertmanager --config.file="$WORK_DIR/alertmanager.yml" --storage.path="$WORK_DIR/alertmanager" \
        --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address=
    local am_pid=$LAST_PID
    log "starting Prometheus on 127.0.0.1:$PROM_PORT (${#rule_files[@]} rule files)"
    start_background prometheus "$WORK_DIR/prometheus.log" \
        prometheus --config.file="$WORK_DIR/prometheus.yml" --storage.tsdb.path="$WORK_DIR/prometheus" \
        --storage.tsdb.retention.time=1d --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle
    local prom_pid=$LAST_PID
    if ! (wait_for "Alertmanager" 60 "$am_pid" http_ok "http://127.0.0.1:$AM_PORT/-/ready"); then
        tail -n 20 "$WORK_DIR/alertmanager.log" >&2
        fail "Alertmanager did not start"
    fi
    if ! (wait_for "Prometheus" 60 "$prom_pid" http_ok "http://127.0.0.1:$PROM_PORT/-/ready"); then
        tail -n 20 "$WORK_DIR/prometheus.log" >&2
        fail "Prometheus did not start"
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# Main.
# ---------------------------------------------------------------------------------------------------------------
install_packages
if ((BUILD)); then build; else find_binary; fi
log "binary: $BINARY"

if port_in_use "$PORT"; then
    fail "port $PORT is in use: pass --port N to listen on another one"
fi

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/chat-exporter-demo.XXXXXX")"
chmod 0755 "$WORK_DIR"  # the postgres user must reach the cluster inside when we run as root

DEMO_CONFIG_ARGS=()
if ((DATABASE_GIVEN)); then
    log "a database is given (DATA_SOURCE_NAME, DATABASE_URL or DB_HOST): running the exporter against it"
else
    start_demo_database
    demo_collectors
    start_simulator
fi

((WITH_PROMETHEUS)) && start_prometheus

log "starting chat-exporter on :$PORT"
if ((DATABASE_GIVEN)); then
    start_background chat-exporter "" "$BINARY" serve --web.listen-address=":$PORT" "${EXTRA_ARGS[@]}"
else
    # The exporter sees only its own role's connection, not the superuser's PG* variables.
    start_background chat-exporter "" env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
        DATA_SOURCE_NAME="$EXPORTER_DSN" \
        "$BINARY" serve --web.listen-address=":$PORT" "${DEMO_CONFIG_ARGS[@]}" "${EXTRA_ARGS[@]}"
fi
EXPORTER_PID=$LAST_PID
if ((DATABASE_GIVEN)); then
    wait_for "chat-exporter answers on :$PORT" 60 "$EXPORTER_PID" http_ok "http://127.0.0.1:$PORT/-/healthy"
    # Your database: say whether it is reachable, rather than "running" above a stream of connection warnings.
    ready_deadline=$((SECONDS + 15))
    until http_ok "http://127.0.0.1:$PORT/-/ready"; do
        if ((SECONDS >= ready_deadline)); then
            log "warning: not ready after 15 s: the database is not reachable or a collector fails (see the warnings" \
                "above, and chat_exporter_database_up on /metrics); the exporter keeps retrying"
            break
        fi
        sleep 0.5
    done
else
    wait_for "chat-exporter is ready on :$PORT" 120 "$EXPORTER_PID" http_ok "http://127.0.0.1:$PORT/-/ready"
fi

# Debian's prometheus package has no React UI (/alerts is a 404): the classic pages are there. Probed before the
# banner, which is printed in one go.
alerts_page="/alerts"
if ((WITH_PROMETHEUS)) && ! http_ok "http://127.0.0.1:$PROM_PORT/alerts" \
    && http_ok "http://127.0.0.1:$PROM_PORT/classic/alerts"; then
    alerts_page="/classic/alerts"
fi

{
    printf '\n'
    printf 'chat-exporter is running (pid %s).\n' "$EXPORTER_PID"
    printf '  metrics        http://127.0.0.1:%s/metrics\n' "$PORT"
    printf '  landing page   http://127.0.0.1:%s/\n' "$PORT"
    if ((WITH_PROMETHEUS)); then
        printf '  Prometheus     http://127.0.0.1:%s/  (alerts: http://127.0.0.1:%s%s)\n' "$PROM_PORT" "$PROM_PORT" "$alerts_page"
        # Debian's alertmanager package has no web UI either: its API lists what it received.
        printf '  Alertmanager   http://127.0.0.1:%s/  (alerts received: http://127.0.0.1:%s/api/v2/alerts;\n' "$AM_PORT" "$AM_PORT"
        printf '                 routed and inhibited as deploy/alertmanager/alertmanager.yml, sent nowhere)\n'
    fi
    if ((DATABASE_GIVEN)); then
        printf '  check          %s check   (in an environment with the same database variables)\n' "$BINARY"
    else
        printf '  database       demo on 127.0.0.1:%s (the simulator leaves a booking without a room every ~30 s)\n' "$PG_PORT"
        printf "  psql           PGPASSWORD='%s' %s -h 127.0.0.1 -p %s -U postgres demo\n" "$PG_PASSWORD" "$PSQL" "$PG_PORT"
        printf "  check          DATA_SOURCE_NAME='%s' %s check\n" "$EXPORTER_DSN" "$BINARY"
        printf "  backfill       DATA_SOURCE_NAME='%s' %s backfill --dry-run\n" "$BACKFILL_DSN" "$BINARY"
        printf '  simulator log  %s\n' "$WORK_DIR/simulator.log"
        if ((WITH_PROMETHEUS)); then
            printf '  alerts         the demo data plants incidents on purpose: ChatCreationBookingsWithoutRoom,\n'
            printf '                 ChatCreationModerationBacklog (firing within minutes),\n'
            printf '                 ChatCreationBookingsBlockedByDeletedRoom (after 10 min), ChatCreationOrphanedBookings\n'
            printf '                 (info, after 30 min); anything else is worth a look\n'
        fi
    fi
    if [[ -n "$DURATION" ]]; then
        printf 'Stopping everything in %s s (--duration).\n\n' "$DURATION"
    else
        printf 'Ctrl-C stops everything.\n\n'
    fi
} >&2

deadline=""
[[ -n "$DURATION" ]] && deadline=$((SECONDS + DURATION))
while true; do
    if ! kill -0 "$EXPORTER_PID" 2>/dev/null; then
        status=0
        wait "$EXPORTER_PID" || status=$?
        fail "chat-exporter exited (status $status)"
    fi
    if [[ -n "$deadline" ]] && ((SECONDS >= deadline)); then
        log "--duration $DURATION reached"
        break
    fi
    sleep 1 &
    SLEEPER=$!
    wait "$SLEEPER" || true
    SLEEPER=""
done
exit 0
