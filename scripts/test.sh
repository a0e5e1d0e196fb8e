#!/usr/bin/env bash
# The test command: builds chat-exporter and runs the whole test suite against a throwaway
# PostgreSQL cluster. Works from nothing on a fresh Debian 12 machine with Swift at /opt/swift.
#
#   scripts/test.sh                         everything
#   scripts/test.sh --filter EndToEndTests  extra arguments go to `swift test`
#
# Steps: install the Debian packages the build and the tests need (skipped when all are there),
# `swift build` (the chat-exporter binary the end-to-end tests run), start one cluster with
# scripts/pg-cluster.sh on a free port in a temporary directory, `swift test` against it, and remove
# the cluster (and any private cluster a test left) on exit, whatever the outcome, Ctrl-C included.
# Exits with swift test's status.
#
# Environment:
#   SWIFT_SCRATCH_PATH   build directory for swift build/test (default: SwiftPM's .build)
#   PGCLUSTER_PASSWORD   the test cluster's superuser password (default: postgres-test-password)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly REPO_ROOT="$PWD"

readonly PACKAGES=(
    libpq-dev libmicrohttpd-dev libyaml-dev zlib1g-dev pkg-config
    postgresql pgbouncer prometheus prometheus-alertmanager
    openssl curl ca-certificates
    systemd python3-yaml apache2-utils binutils
)

step() { printf '\n==> %s\n' "$*"; }
fail() {
    printf 'test.sh: error: %s\n' "$*" >&2
    exit 1
}

install_packages() {
    local missing=() package
    for package in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
            missing+=("$package")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        step "System packages: all installed"
        return
    fi
    step "Installing system packages: ${missing[*]}"
    local sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || fail "missing packages (${missing[*]}) and not root: install them first"
        sudo=(sudo -n)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
}

find_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    command -v swift >/dev/null 2>&1 || fail "swift not found on PATH nor in /opt/swift/usr/bin"
}

# shellcheck source=scripts/lib/ports.sh
source "$REPO_ROOT/scripts/lib/ports.sh"

# A TCP port on 127.0.0.1 nobody listens on (connecting to it is refused), below the kernel's ephemeral range
# (quiet_port), where the tests' kernel-chosen ports and outgoing connections' ports come from.
free_port() {
    quiet_port || fail "no free TCP port found"
}

# Everything of this run lives in RUN_DIR: the shared cluster (RUN_DIR/pg-N) and, as the tests' TMPDIR,
# RUN_DIR/tmp, where the private clusters and files of the tests go. The trap removes all of it, even
# clusters a test process left behind because it was interrupted before its exit handler ran.
RUN_DIR=""
CLUSTER_DIR=""
cleanup() {
    local status=$? leftover
    if [[ -n "$RUN_DIR" && -d "$RUN_DIR" ]]; then
        for leftover in "$RUN_DIR"/pg-* "$RUN_DIR"/tmp/chat-exporter-pg-*; do
            [[ -d "$leftover" ]] && { bash "$REPO_ROOT/scripts/pg-cluster.sh" destroy "$leftover" >/dev/null 2>&1 || true; }
        done
        rm -rf -- "$RUN_DIR"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_cluster() {
    local attempt port
    RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/chat-exporter-test.XXXXXX")"
    chmod 0755 "$RUN_DIR"  # the postgres user must reach the clusters inside
    mkdir -m 0755 "$RUN_DIR/tmp"
    for attempt in 1 2 3; do
        CLUSTER_DIR="$RUN_DIR/pg-$attempt"
        port="$(free_port)"
        step "Starting PostgreSQL on 127.0.0.1:$port ($CLUSTER_DIR)"
        if bash scripts/pg-cluster.sh start "$CLUSTER_DIR" "$port"; then
            export CHAT_EXPORTER_TEST_PGHOST=127.0.0.1
            export CHAT_EXPORTER_TEST_PGPORT="$port"
            export CHAT_EXPORTER_TEST_PGPASSWORD="${PGCLUSTER_PASSWORD:-postgres-test-password}"
            export CHAT_EXPORTER_TEST_CLUSTER_DIR="$CLUSTER_DIR"
            return 0
        fi
        bash scripts/pg-cluster.sh destroy "$CLUSTER_DIR" >/dev/null 2>&1 || true
        CLUSTER_DIR=""
        printf 'test.sh: could not start PostgreSQL (attempt %s of 3)\n' "$attempt" >&2
    done
    fail "PostgreSQL did not start"
}

install_packages
find_swift

SWIFT_FLAGS=()
if [[ -n "${SWIFT_SCRATCH_PATH:-}" ]]; then
    SWIFT_FLAGS+=(--scratch-path "$SWIFT_SCRATCH_PATH")
fi

step "swift build ($(swift --version 2>/dev/null | head -n 1))"
swift build "${SWIFT_FLAGS[@]}" --build-tests
BIN_PATH="$(swift build "${SWIFT_FLAGS[@]}" --show-bin-path)"
[[ -x "$BIN_PATH/chat-exporter" ]] || fail "swift build did not produce $BIN_PATH/chat-exporter"
export CHAT_EXPORTER_BIN="$BIN_PATH/chat-exporter"

if [[ $# -eq 0 ]]; then
    # The shipped build, which the bench smoke test measures in phase 3 (bench/run.sh --quick builds it there when
    # it is missing or stale): built here, alone, so that its compile does not take both cores from the phase's
    # tests that wait on processes with deadlines.
    step "scripts/build-release.sh --scratch-path .build-bench-static"
    bash scripts/build-release.sh --scratch-path "$REPO_ROOT/.build-bench-static" >/dev/null
fi

start_cluster

# Without arguments the suite runs in three phases. Swift Testing runs synchronous tests on the cooperative
# thread pool, which has one thread per core; the tests that drive processes (the binary, Prometheus, run.sh)
# block those threads for seconds or minutes at a time, and in-process tests that await the database lose
# their deadlines to that, not to the code. So: the in-process tests first, then the backfill and HTTP
# server tests (both kinds, briefly), then the suites that run processes for long.
readonly PHASES=(
    'ExpositionTests|YAMLTests|CollectorConfigTests|PostgresClientTests|ChatMetricsTests|ExporterCoreTests'
    'BackfillTests|HTTPServerTests'
    'EndToEndTests|MonitoringTests|DeployTests'
)
status=0
if [[ $# -gt 0 ]]; then
    step "swift test $*"
    TMPDIR="$RUN_DIR/tmp" swift test "${SWIFT_FLAGS[@]}" --skip-build "$@" || status=$?
else
    for index in "${!PHASES[@]}"; do
        step "swift test, phase $((index + 1)) of ${#PHASES[@]}: ${PHASES[$index]}"
        TMPDIR="$RUN_DIR/tmp" swift test "${SWIFT_FLAGS[@]}" --skip-build --filter "${PHASES[$index]}" || status=$?
    done
fi
if [[ $status -eq 0 ]]; then
    step "Tests passed"
else
    step "Tests FAILED (swift test exited with $status)"
fi
exit "$status"
