-- Least-privilege roles for chat-exporter.
--
--   psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 \
--        -v exporter_password="$EXPORTER_PASSWORD" -f deploy/sql/role.sql
--
-- chat_exporter: the sidecar's login. It can run every default collector and nothing more: SELECT on
-- exactly the columns the collectors read (never message text, e-mail addresses or names), no write
-- of any kind, and read-only transactions by default even if it were granted more later.
-- Run it as a role that may create roles, in the platform's database. Idempotent.

\set ON_ERROR_STOP on

SELECT format('CREATE ROLE chat_exporter LOGIN PASSWORD %L', :'exporter_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chat_exporter') \gexec
SELECT format('ALTER ROLE chat_exporter LOGIN PASSWORD %L', :'exporter_password') \gexec

ALTER ROLE chat_exporter NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;
ALTER ROLE chat_exporter CONNECTION LIMIT 10;
ALTER ROLE chat_exporter SET default_transaction_read_only = on;
ALTER ROLE chat_exporter SET statement_timeout = '60s';

SELECT format('GRANT CONNECT ON DATABASE %I TO chat_exporter', current_database()) \gexec
GRANT USAGE ON SCHEMA public TO chat_exporter;

-- Exactly the columns the default collectors read.
GRANT SELECT (id) ON users TO chat_exporter;
GRANT SELECT (id, teacher_id, end_time, deleted_at) ON lessons TO chat_exporter;
GRANT SELECT (id, lesson_id, student_id, status, created_at, deleted_at) ON bookings TO chat_exporter;
GRANT SELECT (id, teacher_id, student_id, created_at, deleted_at) ON chat_rooms TO chat_exporter;
GRANT SELECT (chat_room_id, status, created_at, deleted_at) ON messages TO chat_exporter;
GRANT SELECT (action, status, created_at, updated_at) ON audit_logs TO chat_exporter;
