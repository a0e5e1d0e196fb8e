-- Least-privilege roles for chat-exporter.
--
--   psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 \
--        -v exporter_password="$EXPORTER_PASSWORD" -f deploy/sql/role.sql
--
-- (psql's arguments are visible to other users of the host in ps: there, leave exporter_password out and run
-- \password chat_exporter afterwards, or pass a SCRAM-SHA-256 verifier.)
--
-- chat_exporter: the sidecar's login. It can run every default collector and nothing more: SELECT on
-- exactly the columns the collectors read (never message text, e-mail addresses or names), no privilege
-- to write any table, and read-only transactions by default (a session may turn that off; the exporter's
-- own queries always run in READ ONLY transactions). What PostgreSQL allows every role stays allowed:
-- temporary tables (the database's TEMPORARY privilege, granted to PUBLIC; an administrator may
-- REVOKE TEMPORARY ON DATABASE ... FROM PUBLIC where the platform does not use them) and large objects.
-- Run it in the platform's database as a superuser, or as a role with CREATEROLE that owns the platform's
-- tables and the database (a managed service's administrator). Idempotent.

\set ON_ERROR_STOP on

-- A password in a statement is written to the server log by log_statement = ddl (or all) and
-- log_min_duration_statement: a superuser turns both off for this session. Otherwise give the password as a
-- SCRAM-SHA-256 verifier instead of the clear text (the server stores it as it is), or leave the variable out and
-- set the password afterwards with psql's \password chat_exporter, which sends only a verifier. Without
-- exporter_password an existing role keeps its password, so re-applying the file for an upgrade needs none.
SELECT 'SET log_statement = none' WHERE (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) \gexec
SELECT 'SET log_min_duration_statement = -1' WHERE (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) \gexec

-- Given and not empty: `-v exporter_password="$EXPORTER_PASSWORD"` with the variable unset gives '', which PostgreSQL
-- would take as "clear the password".
\set exporter_password_given false
\if :{?exporter_password}
SELECT :'exporter_password' <> '' AS exporter_password_given \gset
\endif
\if :exporter_password_given
SELECT format('CREATE ROLE chat_exporter LOGIN PASSWORD %L', :'exporter_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chat_exporter') \gexec
SELECT format('ALTER ROLE chat_exporter LOGIN PASSWORD %L', :'exporter_password') \gexec
\else
SELECT 'CREATE ROLE chat_exporter LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chat_exporter') \gexec
\echo 'role.sql: exporter_password not given (or empty): chat_exporter keeps its password (a new role has none: \\password chat_exporter)'
\endif

-- Only a superuser may even restate these three: a CREATEROLE administrator changes them only when set.
SELECT 'ALTER ROLE chat_exporter NOSUPERUSER NOREPLICATION NOBYPASSRLS'
 WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chat_exporter' AND (rolsuper OR rolreplication OR rolbypassrls)) \gexec
ALTER ROLE chat_exporter NOCREATEDB NOCREATEROLE NOINHERIT;
ALTER ROLE chat_exporter CONNECTION LIMIT 10;
ALTER ROLE chat_exporter SET default_transaction_read_only = on;
ALTER ROLE chat_exporter SET statement_timeout = '60s';

SELECT format('GRANT CONNECT ON DATABASE %I TO chat_exporter', current_database()) \gexec
GRANT USAGE ON SCHEMA public TO chat_exporter;

-- Exactly the columns the default collectors read.
GRANT SELECT (id) ON users TO chat_exporter;
GRANT SELECT (id, teacher_id, end_time, deleted_at) ON lessons TO chat_exporter;
GRANT SELECT (id, lesson_id, student_id, status, created_at, updated_at, deleted_at) ON bookings TO chat_exporter;
GRANT SELECT (id, teacher_id, student_id, created_at, deleted_at) ON chat_rooms TO chat_exporter;
GRANT SELECT (chat_room_id, status, created_at, deleted_at) ON messages TO chat_exporter;
GRANT SELECT (action, status, created_at, updated_at) ON audit_logs TO chat_exporter;

-- chat_backfill: the login of `chat-exporter backfill` (the systemd timer, the Kubernetes CronJob). A
-- separate role, so the exporter's stays read-only. It may read exactly what the backfill reads and insert
-- rooms the way the trigger does (teacher_id, student_id, created_at, updated_at); nothing else: no UPDATE,
-- no DELETE, no other table written. Its password sits in the timer's and the CronJob's secrets all the
-- time, so it cannot soft-delete (or undelete) rooms: `backfill --restore-deleted`, a by-hand decision,
-- runs as the platform's owner role or an administrator.
-- Created or updated only when the backfill_password variable is given:
--
--   psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -v exporter_password="$EXPORTER_PASSWORD" \
--        -v backfill_password="$BACKFILL_PASSWORD" -f deploy/sql/role.sql

\set backfill_password_given false
\if :{?backfill_password}
SELECT :'backfill_password' <> '' AS backfill_password_given \gset
\endif
\if :backfill_password_given
SELECT format('CREATE ROLE chat_backfill LOGIN PASSWORD %L', :'backfill_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chat_backfill') \gexec
SELECT format('ALTER ROLE chat_backfill LOGIN PASSWORD %L', :'backfill_password') \gexec

-- Only a superuser may even restate these three: a CREATEROLE administrator changes them only when set.
SELECT 'ALTER ROLE chat_backfill NOSUPERUSER NOREPLICATION NOBYPASSRLS'
 WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chat_backfill' AND (rolsuper OR rolreplication OR rolbypassrls)) \gexec
ALTER ROLE chat_backfill NOCREATEDB NOCREATEROLE NOINHERIT;
ALTER ROLE chat_backfill CONNECTION LIMIT 4;
ALTER ROLE chat_backfill SET statement_timeout = '5min';

SELECT format('GRANT CONNECT ON DATABASE %I TO chat_backfill', current_database()) \gexec
GRANT USAGE ON SCHEMA public TO chat_backfill;

-- What the backfill reads: the active bookings, their lessons' teachers, the rooms of each pair.
GRANT SELECT (id, teacher_id, deleted_at) ON lessons TO chat_backfill;
GRANT SELECT (id, lesson_id, student_id, status, created_at, deleted_at) ON bookings TO chat_backfill;
GRANT SELECT (id, teacher_id, student_id, deleted_at) ON chat_rooms TO chat_backfill;
-- What it writes: new rooms, as the trigger inserts them.
GRANT INSERT (teacher_id, student_id, created_at, updated_at) ON chat_rooms TO chat_backfill;
\else
\echo 'role.sql: backfill_password not given (or empty): the chat_backfill role keeps its password'
\endif
-- Earlier versions of this file granted UPDATE: taken back whenever the role exists, password given or not.
SELECT 'REVOKE UPDATE ON chat_rooms FROM chat_backfill' WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chat_backfill') \gexec
SELECT 'REVOKE UPDATE (deleted_at, updated_at) ON chat_rooms FROM chat_backfill' WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chat_backfill') \gexec
