-- bench/proposed/indexes.sql: the index docs/benchmarks.md proposes on top of deploy/sql/indexes.sql.
-- Run like it: outside a transaction, e.g.  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f bench/proposed/indexes.sql

-- chat_integrity (orphaned): the few soft-deleted lessons, instead of a sequential scan of every lesson.
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_lessons_deleted
    ON lessons (id) WHERE deleted_at IS NOT NULL;
