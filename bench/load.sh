#!/usr/bin/env bash
# Loads one benchmark database: a copy of chat_template filled by bench/generate.sql at a scale, with the
# shipped indexes (deploy/sql/indexes.sql) and fresh statistics.
#
#   bench/load.sh DATABASE SCALE [HISTORY]   (connection from PGHOST, PGPORT, PGUSER, PGPASSWORD: a superuser;
#                                             HISTORY: years of past activity, default 1, bench/generate.sql)
#
# COPY-speed tricks: the primary, unique and foreign keys are dropped before the load and built again after
# it (one sorted build per index, one validation join per foreign key instead of a trigger per row), the
# chat-creation triggers are disabled while the rows (rooms included) are inserted directly, and the session
# runs with synchronous_commit off and a large maintenance_work_mem (the throwaway cluster has fsync off).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[[ $# -eq 2 || $# -eq 3 ]] || { echo "usage: bench/load.sh DATABASE SCALE [HISTORY]" >&2; exit 2; }
db="$1" scale="$2" history="${3:-1}"
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE chat_template"

# Save the keys, then drop them: foreign keys first.
constraints=$(q -d "$db" -At -F $'\t' -c "
    SELECT contype, conrelid::regclass, conname, pg_get_constraintdef(oid)
      FROM pg_constraint
     WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f')
     ORDER BY contype = 'f' DESC, conname")
{
    while IFS=$'\t' read -r _ table name _; do
        printf 'ALTER TABLE %s DROP CONSTRAINT %s;\n' "$table" "$name"
    done <<<"$constraints"
    echo "ALTER TABLE bookings DISABLE TRIGGER USER;"
} | q -d "$db"

started=$(date +%s)
q -d "$db" -v scale="$scale" -v history="$history" -f bench/generate.sql
generated=$(date +%s)

# Keys back (primary and unique first, then the foreign keys), triggers back on.
{
    echo "SET maintenance_work_mem = '1GB';"
    echo "SET max_parallel_maintenance_workers = 2;"
    while IFS=$'\t' read -r type table name definition; do
        [[ $type == f ]] && continue
        printf 'ALTER TABLE %s ADD CONSTRAINT %s %s;\n' "$table" "$name" "$definition"
    done <<<"$constraints"
    while IFS=$'\t' read -r type table name definition; do
        [[ $type == f ]] || continue
        printf 'ALTER TABLE %s ADD CONSTRAINT %s %s;\n' "$table" "$name" "$definition"
    done <<<"$constraints"
    echo "ALTER TABLE bookings ENABLE TRIGGER USER;"
} | q -d "$db"
keyed=$(date +%s)

# The shipped indexes, as an operator applies them (CONCURRENTLY, outside a transaction).
PGOPTIONS="-c maintenance_work_mem=1GB -c client_min_messages=warning" q -d "$db" -f deploy/sql/indexes.sql
q -d "$db" -c "VACUUM (ANALYZE)"
done_at=$(date +%s)

counts=$(q -d "$db" -At -F ' ' -c "
    SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM lessons), (SELECT count(*) FROM bookings),
           (SELECT count(*) FROM chat_rooms), (SELECT count(*) FROM messages), (SELECT count(*) FROM audit_logs),
           pg_database_size(current_database())")
read -r users lessons bookings rooms messages audit bytes <<<"$counts"
printf 'load: db=%s scale=%s users=%s lessons=%s bookings=%s rooms=%s messages=%s audit_logs=%s size_mb=%s generate_s=%s keys_s=%s indexes_vacuum_s=%s total_s=%s\n' \
    "$db" "$scale" "$users" "$lessons" "$bookings" "$rooms" "$messages" "$audit" "$((bytes / 1048576))" \
    "$((generated - started))" "$((keyed - generated))" "$((done_at - keyed))" "$((done_at - started))"
