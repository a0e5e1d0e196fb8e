#!/usr/bin/env bash
# Soak test: runs chat-exporter for a while with collectors every few seconds and a steady scrape load,
# and reports resident memory, open file descriptors and database connections at the start (after a
# warm-up) and at the end. Fails when memory grows by 1 MiB or more, or descriptors grow at all.
#
#   scripts/soak.sh                      30 minutes against a throwaway PostgreSQL with demo data
#   scripts/soak.sh --duration 60        one minute (what CI runs, through the test suite)
#
# Options: --duration SECONDS (default 1800), --warmup SECONDS (default 20), --binary PATH
# (default: CHAT_EXPORTER_BIN, else .build/release/chat-exporter, else .build/debug/chat-exporter),
# --scrapers N parallel scrape loops (default 4).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration=1800 warmup=20 scrapers=4 binary="${CHAT_EXPORTER_BIN:-}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) duration="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --binary) binary="$2"; shift 2 ;;
        --scrapers) scrapers="$2"; shift 2 ;;
        *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
if [[ -z "$binary" ]]; then
    for candidate in .build/release/chat-exporter .build/debug/chat-exporter; do
        [[ -x "$candidate" ]] && { binary="$candidate"; break; }
    done
fi
[[ -x "$binary" ]] || { echo "soak.sh: no chat-exporter binary (swift build first, or --binary)" >&2; exit 2; }

work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    bash scripts/pg-cluster.sh destroy "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
pg_port=$(free_port)
export PGCLUSTER_PASSWORD="soak-$(date +%s)"
bash scripts/pg-cluster.sh start "$work/pg" "$pg_port" >/dev/null
export PGPASSWORD="$PGCLUSTER_PASSWORD"
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE soak TEMPLATE chat_template"
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d soak -v ON_ERROR_STOP=1 -f scripts/demo-data.sql >/dev/null

# The default collectors, every 2 to 5 seconds.
sed -E 's/^(  interval: ).*/\12s/; s/^(    interval: ).*/\13s/; s/^(    timeout: ).*/\12s/; s/^(  timeout: ).*/\12s/' \
    collectors/default.yml > "$work/collectors.yml"
"$binary" validate --config.file "$work/collectors.yml" >/dev/null

port=$(free_port)
DATA_SOURCE_NAME="host=127.0.0.1 port=$pg_port dbname=soak user=postgres password=$PGCLUSTER_PASSWORD" \
    "$binary" --config.file "$work/collectors.yml" --web.listen-address "127.0.0.1:$port" --log.level warn \
    2>"$work/exporter.log" &
exporter=$!
pids+=("$exporter")
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" || { echo "soak.sh: the exporter never became ready" >&2; cat "$work/exporter.log" >&2; exit 1; }

for _ in $(seq "$scrapers"); do
    ( while :; do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/metrics" 2>/dev/null || true
        curl -fsS -o /dev/null -H 'Accept-Encoding: gzip' -H 'Accept: application/openmetrics-text;version=1.0.0' "http://127.0.0.1:$port/metrics" 2>/dev/null || true
      done ) &
    pids+=("$!")
done

rss() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$exporter/status"; }
# Scrapes in flight hold a socket each: the fewest descriptors of a few samples is the steady count.
fds() {
    local fewest=999999 count
    for _ in 1 2 3 4 5 6 7 8; do
        count=$(find "/proc/$exporter/fd" -mindepth 1 -maxdepth 1 | wc -l)
        ((count < fewest)) && fewest=$count
        sleep 0.1
    done
    echo "$fewest"
}
connections() { psql -X -A -t -h 127.0.0.1 -p "$pg_port" -U postgres -d soak -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chat-exporter'"; }
scrapes() { curl -fsS "http://127.0.0.1:$port/metrics" | awk '$1 ~ /^chat_exporter_collector_runs_total/ {sum += $2} END {print sum}'; }

sleep "$warmup"
start_rss=$(rss) start_fds=$(fds) start_connections=$(connections) start_runs=$(scrapes) started=$(date +%s)
remaining=$((duration - warmup)); [[ $remaining -gt 0 ]] || remaining=1
sleep "$remaining"
end_rss=$(rss) end_fds=$(fds) end_connections=$(connections) end_runs=$(scrapes) elapsed=$(( $(date +%s) - started ))
kill -0 "$exporter" 2>/dev/null || { echo "soak.sh: the exporter died" >&2; cat "$work/exporter.log" >&2; exit 1; }

growth=$((end_rss - start_rss))
printf 'soak: %ss measured after a %ss warm-up, %s collector runs, %s scrape loops\n' "$elapsed" "$warmup" "$((end_runs - start_runs))" "$scrapers"
printf 'soak: rss_bytes start=%s end=%s growth=%s\n' "$start_rss" "$end_rss" "$growth"
printf 'soak: open_fds start=%s end=%s\n' "$start_fds" "$end_fds"
printf 'soak: db_connections start=%s end=%s\n' "$start_connections" "$end_connections"
if grep -q 'level=error' "$work/exporter.log"; then echo "soak.sh: the exporter logged errors:" >&2; grep 'level=error' "$work/exporter.log" | head >&2; exit 1; fi
[[ $growth -lt 1048576 ]] || { echo "soak: FAIL rss grew by $growth bytes (limit 1 MiB)" >&2; exit 1; }
[[ $end_fds -le $start_fds ]] || { echo "soak: FAIL open fds grew from $start_fds to $end_fds" >&2; exit 1; }
echo "soak: PASS"
