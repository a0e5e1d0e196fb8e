#!/usr/bin/env bash
# chat-exporter's benchmark, in one command: the database cost of the default collectors (against the seeds'
# own SQL), scrape throughput and latency, memory and start-up, side by side with query-exporter,
# sql_exporter, postgres_exporter (the same SQL) and nginx (the same bytes), on the same data.
#
#   bash bench/run.sh                       scale 1 and 3, writes docs/benchmarks.md (about 10 minutes)
#   bash bench/run.sh --scale 0.5           another base scale (the database cost is also taken at 3x it)
#   bash bench/run.sh --quick               scale 0.01, 3 runs, 1 s of wrk per cell: a smoke run (2-3 minutes
#                                           with a built binary)
#
# Options: --output FILE (default docs/benchmarks.md; --quick never writes there unless asked),
# --binary PATH (a built chat-exporter: no build; the default builds release with --static-swift-stdlib into
# .build-bench-static, as scripts/run.sh does, and the full run also a dynamically linked one into .build-bench),
# --keep (keep the work directory in /tmp), --no-install (use only what is installed).
#
# It installs what it needs (apt-get: wrk nginx prometheus-sql-exporter prometheus-postgres-exporter
# python3-venv python3-yaml postgresql; pip: query-exporter into bench/.venv), builds, starts its own
# throwaway PostgreSQL cluster and every server it measures on 127.0.0.1, and stops and removes all of them
# on exit (Ctrl-C included). A peer that cannot be installed is reported as "skipped: reason" in its row.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly REPO_ROOT="$PWD"

scale=1 quick=0 output="" binary="" keep=0 install=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --scale) scale="$2"; shift 2 ;;
        --quick) quick=1; shift ;;
        --output) output="$2"; shift 2 ;;
        --binary) binary="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --no-install) install=0; shift ;;
        -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
if [[ $quick -eq 1 ]]; then
    [[ "$scale" == 1 ]] && scale=0.01
    if [[ -z "$output" ]]; then
        output="$(mktemp -d)/benchmarks.md"
    fi
fi
output="${output:-$REPO_ROOT/docs/benchmarks.md}"

step() { printf '\n==> %s\n' "$*" >&2; }
skips=()

# --- tools
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
apt_install() {
    local missing=() package
    for package in "$@"; do installed "$package" || missing+=("$package"); done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $install -eq 1 ]] || return 1
    local sudo=()
    [[ "$(id -u)" -eq 0 ]] || sudo=(sudo -n)
    step "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if [[ -z "${BENCH_APT_UPDATED:-}" ]]; then
        timeout 300 "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || true
        BENCH_APT_UPDATED=1
    fi
    # Never start the packaged services: the benchmark runs its own instances.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy && "$(id -u)" -eq 0 ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
    fi
    local status=0
    timeout 600 "${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null 2>&1 || status=$?
    [[ $created_policy -eq 1 ]] && rm -f "$policy"
    return $status
}

step "tools"
apt_install libpq-dev libmicrohttpd-dev libyaml-dev zlib1g-dev pkg-config \
    || { echo "bench/run.sh: cannot install the build dependencies" >&2; exit 1; }
apt_install postgresql python3-yaml curl || { echo "bench/run.sh: cannot install postgresql/python3-yaml" >&2; exit 1; }
apt_install wrk || { echo "bench/run.sh: cannot install wrk" >&2; exit 1; }
apt_install nginx || skips+=(--skip "nginx=apt-get could not install nginx")
apt_install prometheus-sql-exporter || skips+=(--skip "sql_exporter=apt-get could not install prometheus-sql-exporter")
apt_install prometheus-postgres-exporter || skips+=(--skip "postgres_exporter=apt-get could not install prometheus-postgres-exporter")
# The packaged services are never started (policy-rc.d above): the benchmark starts its own instances,
# on free ports.

# query-exporter: the newest release that installs on this Python (5.0.x needs SQLAlchemy 2 + psycopg2).
query_exporter=""
venv="$REPO_ROOT/bench/.venv"
QUERY_EXPORTER_VERSION="${QUERY_EXPORTER_VERSION:-5.0.2}"
if [[ -x "$venv/bin/query-exporter" ]] && "$venv/bin/query-exporter" --version 2>/dev/null | grep -q "$QUERY_EXPORTER_VERSION"; then
    query_exporter="$venv/bin/query-exporter"
elif [[ $install -eq 1 ]]; then
    apt_install python3-venv || true
    step "pip install query-exporter==$QUERY_EXPORTER_VERSION into bench/.venv"
    if /usr/bin/python3 -m venv "$venv" >/dev/null 2>&1 \
        && timeout 600 "$venv/bin/pip" install -q --disable-pip-version-check \
            "query-exporter==$QUERY_EXPORTER_VERSION" psycopg2-binary >"$venv.log" 2>&1; then
        query_exporter="$venv/bin/query-exporter"
    else
        skips+=(--skip "query-exporter=pip could not install query-exporter $QUERY_EXPORTER_VERSION ($(tail -n 1 "$venv.log" 2>/dev/null | cut -c1-120))")
    fi
else
    skips+=(--skip "query-exporter=not installed (--no-install)")
fi

# --- the binary
build_info=""
variants=()
if [[ -z "$binary" ]]; then
    command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
    # The shipped build (scripts/build-release.sh, as scripts/run.sh builds it): the Swift runtime and FoundationEssentials
    # linked in statically, the functions of the running exporter placed together.
    step "scripts/build-release.sh --scratch-path .build-bench-static"
    built="$(bash scripts/build-release.sh --scratch-path "$REPO_ROOT/.build-bench-static")"
    binary="$(tail -n 1 <<<"$built")"
    build_info="release build, --static-swift-stdlib"
    if grep -qx "layout: ordered" <<<"$built"; then
        build_info+=", functions ordered by scripts/steady-state.order"
    else
        build_info+=", no order file (no ld.lld)"
    fi
    if [[ $quick -eq 0 ]]; then
        # The same code without the order file, and linked against the shared Swift runtime: measured beside it.
        step "scripts/build-release.sh --no-order --scratch-path .build-bench-unordered"
        bash scripts/build-release.sh --no-order --scratch-path "$REPO_ROOT/.build-bench-unordered" >/dev/null
        variants+=(--variant "static, without the order file=$REPO_ROOT/.build-bench-unordered/release/chat-exporter")
        step "swift build -c release --product chat-exporter --scratch-path .build-bench"
        swift build -c release --product chat-exporter --scratch-path .build-bench >&2
        variants+=(--variant "dynamically linked (plain swift build -c release)=$REPO_ROOT/.build-bench/release/chat-exporter")
    fi
else
    build_info="binary $binary"
fi
[[ -x "$binary" ]] || { echo "bench/run.sh: no chat-exporter binary at $binary" >&2; exit 2; }
binary="$(realpath "$binary")"
command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"

# --- run (bench.py stops everything it starts; the trap is the backstop for an interrupted run)
args=(--scale "$scale" --output "$output" --binary "$binary" --build-info "$build_info" "${skips[@]}" "${variants[@]}")
[[ -n "$query_exporter" ]] && args+=(--query-exporter "$query_exporter")
[[ $quick -eq 1 ]] && args+=(--quick)
[[ $keep -eq 1 ]] && args+=(--keep)

child=""
cleanup() {
    if [[ -n "$child" ]] && kill -0 "$child" 2>/dev/null; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
step "benchmark (scale $scale$([[ $quick -eq 1 ]] && echo ', quick'))"
/usr/bin/python3 "$REPO_ROOT/bench/bench.py" "${args[@]}" &
child=$!
status=0
wait "$child" || status=$?
child=""
exit $status
