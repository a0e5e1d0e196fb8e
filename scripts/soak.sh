#!/usr/bin/env bash
# Soak test: runs chat-exporter for a while with collectors every few seconds and a steady scrape load,
# and reports resident memory, open file descriptors and database connections at the start (after a
# warm-up) and at the end, and a sample of them every --sample seconds. Fails when memory grows by 1 MiB or
# more, descriptors grow at all, a scrape fails, or the exporter logs an error.
#
#   scripts/soak.sh                      30 minutes against a throwaway PostgreSQL with demo data
#   scripts/soak.sh --duration 45        under a minute (what CI runs, through the test suite)
#   scripts/soak.sh --restart-db-every 600 --reload-every 300
#                                        with faults: the database restarted every 10 minutes (the exporter
#                                        reconnects; scrapes keep being answered), SIGHUP every 5 minutes
#
# Options: --duration SECONDS (default 1800), --warmup SECONDS (default 20), --binary PATH
# (default: CHAT_EXPORTER_BIN, else .build/release/chat-exporter, else .build/debug/chat-exporter),
# --scrapers N parallel scrape loops (default 4), --sample SECONDS (default 60), --restart-db-every SECONDS and
# --reload-every SECONDS (default 0: never). The last restart or reload is at least two minutes before the end, so
# that the end figures are a steady state again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration=1800 warmup=20 scrapers=4 sample=60 restart_every=0 reload_every=0 binary="${CHAT_EXPORTER_BIN:-}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) duration="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --binary) binary="$2"; shift 2 ;;
        --scrapers) scrapers="$2"; shift 2 ;;
        --sample) sample="$2"; shift 2 ;;
        --restart-db-every) restart_every="$2"; shift 2 ;;
        --reload-every) reload_every="$2"; shift 2 ;;
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
# The database's port lies below the kernel's ephemeral range (quiet_port): restarted, it must bind its port again,
# and the scrapers' thousands of outgoing connections a second take their local ports from that range.
# shellcheck source=scripts/lib/ports.sh
source scripts/lib/ports.sh
pg_port=$(quiet_port) || { echo "soak.sh: no free TCP port found" >&2; exit 1; }
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

# Every failed scrape appends a line: /metrics answers from the last snapshot, database or not.
for _ in $(seq "$scrapers"); do
    ( while :; do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/metrics" 2>/dev/null || echo plain >>"$work/failed-scrapes"
        curl -fsS -o /dev/null -H 'Accept-Encoding: gzip' -H 'Accept: application/openmetrics-text;version=1.0.0' \
            "http://127.0.0.1:$port/metrics" 2>/dev/null || echo gzip >>"$work/failed-scrapes"
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

status_kib() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$exporter/status"; }
sample_line() {
    printf 'soak: t=%ss rss=%s KiB (anon %s, file %s) fds=%s db_connections=%s collector_runs=%s failed_scrapes=%s\n' \
        "$(( $(date +%s) - began ))" "$(status_kib VmRSS)" "$(status_kib RssAnon)" "$(status_kib RssFile)" "$(fds)" \
        "$(connections)" "$(scrapes)" "$(failed)"
}
failed() { if [[ -f "$work/failed-scrapes" ]]; then wc -l <"$work/failed-scrapes"; else echo 0; fi; }

began=$(date +%s)
sleep "$warmup"
start_rss=$(rss) start_fds=$(fds) start_connections=$(connections) start_runs=$(scrapes) started=$(date +%s)
sample_line
# Faults stop two minutes before the end (the minute's heap trim and library release included).
quiet_from=$((started + duration - warmup - 120))
next_sample=$((started + sample)) next_restart=0 next_reload=0 restarts=0 reloads=0
((restart_every > 0)) && next_restart=$((started + restart_every))
((reload_every > 0)) && next_reload=$((started + reload_every))
end=$((started + duration - warmup)); ((end > started)) || end=$((started + 1))
while (( $(date +%s) < end )); do
    now=$(date +%s)
    if ((next_restart > 0 && now >= next_restart && now < quiet_from)); then
        bash scripts/pg-cluster.sh restart "$work/pg" >/dev/null 2>&1 || { echo "soak.sh: the database did not restart" >&2; exit 1; }
        restarts=$((restarts + 1)) next_restart=$((now + restart_every))
        echo "soak: t=$((now - began))s restarted the database"
    fi
    if ((next_reload > 0 && now >= next_reload && now < quiet_from)); then
        kill -HUP "$exporter"
        reloads=$((reloads + 1)) next_reload=$((now + reload_every))
        echo "soak: t=$((now - began))s SIGHUP"
    fi
    if ((now >= next_sample)); then
        sample_line
        next_sample=$((now + sample))
    fi
    sleep 1
done
end_rss=$(rss) end_fds=$(fds) end_connections=$(connections) end_runs=$(scrapes) elapsed=$(( $(date +%s) - started ))
sample_line
kill -0 "$exporter" 2>/dev/null || { echo "soak.sh: the exporter died" >&2; cat "$work/exporter.log" >&2; exit 1; }

growth=$((end_rss - start_rss))
printf 'soak: %ss measured after a %ss warm-up, %s collector runs, %s scrape loops\n' "$elapsed" "$warmup" "$((end_runs - start_runs))" "$scrapers"
printf 'soak: rss_bytes start=%s end=%s growth=%s\n' "$start_rss" "$end_rss" "$growth"
printf 'soak: open_fds start=%s end=%s\n' "$start_fds" "$end_fds"
printf 'soak: db_connections start=%s end=%s\n' "$start_connections" "$end_connections"
printf 'soak: database restarts=%s, SIGHUP reloads=%s, failed scrapes=%s\n' "$restarts" "$reloads" "$(failed)"
if grep -q 'level=error' "$work/exporter.log"; then echo "soak.sh: the exporter logged errors:" >&2; grep 'level=error' "$work/exporter.log" | head >&2; exit 1; fi
[[ $(failed) -eq 0 ]] || { echo "soak: FAIL $(failed) scrapes failed" >&2; exit 1; }
[[ $growth -lt 1048576 ]] || { echo "soak: FAIL rss grew by $growth bytes (limit 1 MiB)" >&2; exit 1; }
[[ $end_fds -le $start_fds ]] || { echo "soak: FAIL open fds grew from $start_fds to $end_fds" >&2; exit 1; }
echo "soak: PASS"
