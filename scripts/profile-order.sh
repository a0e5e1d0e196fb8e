#!/usr/bin/env bash
# Records scripts/steady-state.order, the functions a running chat-exporter executes once started, for
# scripts/build-release.sh to place together:
#
#   DATA_SOURCE_NAME='host=... dbname=...' scripts/profile-order.sh [--seconds N] [--output FILE]
#
# Builds the release binary (without the order file: the names are the same), runs a copy without debug
# information under valgrind's callgrind against that database with every collector's interval and timeout set
# to 10 s (the same code runs as with the shipped intervals, only sooner), waits until it is ready, zeroes the
# counts, scrapes every endpoint in every encoding for N seconds (default 70), and writes the executable's
# functions that ran, by their linker names. Run it again when the code the exporter runs changes much; a stale
# file is harmless, only less effective. Any database with the platform's schema does (scripts/run.sh's demo
# prints one). Installs valgrind with apt-get when it is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly REPO_ROOT="$PWD"
seconds=70
output="$REPO_ROOT/scripts/steady-state.order"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { echo "profile-order.sh: --seconds needs a whole number" >&2; exit 2; }
                   seconds="$2"; shift 2 ;;
        --output) [[ $# -ge 2 ]] || { echo "profile-order.sh: --output needs a path" >&2; exit 2; }
                  output="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "profile-order.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ -n "${DATA_SOURCE_NAME:-}" ]] || { echo "profile-order.sh: set DATA_SOURCE_NAME to a database with the platform's schema" >&2; exit 2; }
if ! command -v valgrind >/dev/null 2>&1; then
    sudo=()
    [[ "$(id -u)" -eq 0 ]] || sudo=(sudo -n)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/chat-exporter-profile.XXXXXX")"
pid=""
cleanup() {
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf -- "$work"
}
trap cleanup EXIT

binary="$(bash scripts/build-release.sh --no-order --scratch-path "$REPO_ROOT/.build-profile" | tail -n 1)"
# Debian's valgrind cannot read the Swift toolchain's DWARF 5; the symbol table is all callgrind needs.
strip --strip-debug -o "$work/chat-exporter" "$binary"
sed -E "s/^([[:space:]]*)(interval|timeout):[[:space:]]*[0-9a-z]+[[:space:]]*$/\1\2: 10s/" collectors/default.yml >"$work/collectors.yml"

port=$((20000 + RANDOM % 40000))
base="http://127.0.0.1:$port"
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" --dump-instr=no --compress-strings=no \
    --compress-pos=no --demangle=no \
    "$work/chat-exporter" --config.file "$work/collectors.yml" --web.listen-address "127.0.0.1:$port" \
    --log.level warn >"$work/valgrind.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
    curl -sf -o /dev/null "$base/-/ready" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/valgrind.log" >&2; exit 1; }
    sleep 0.5
done
curl -sf -o /dev/null "$base/-/ready" || { echo "profile-order.sh: not ready after 5 minutes" >&2; exit 1; }
sleep 5  # the start-up memory release and the first runs' tails
callgrind_control -z "$pid" >/dev/null 2>&1
echo "profile-order.sh: recording ${seconds} s of collector runs and scrapes" >&2
end=$((SECONDS + seconds))
while ((SECONDS < end)); do
    curl -s -o /dev/null "$base/metrics"
    curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$base/metrics"
    curl -s -o /dev/null -H 'Accept: application/openmetrics-text; version=1.0.0' "$base/metrics"
    curl -s -o /dev/null "$base/-/healthy"
    curl -s -o /dev/null "$base/-/ready"
    curl -s -o /dev/null "$base/"
    sleep 1
done
callgrind_control -d "$pid" >/dev/null 2>&1
kill "$pid" && wait "$pid" 2>/dev/null || true
pid=""

python3 - "$work" "$output" <<'EOF'
import glob, sys
work, output = sys.argv[1], sys.argv[2]
executable = work + "/chat-exporter"
names, current = [], None
for path in sorted(glob.glob(work + "/callgrind.out.*")):
    for line in open(path, errors="replace"):
        if line.startswith("ob="):
            current = line[3:].strip()
        elif line.startswith("fn=") and current == executable:
            name = line[3:].strip()
            if not name.startswith("0x"):
                names.append(name)
names = list(dict.fromkeys(names))
if not names:
    sys.exit(f"profile-order.sh: callgrind recorded no function of the executable (no dump in {work}?); {output} unchanged")
with open(output, "w") as file:
    file.write("\n".join(names) + "\n")
print(f"profile-order.sh: {len(names)} functions -> {output}", file=sys.stderr)
EOF
