-- Indexes that keep chat-exporter's default collectors cheap on a large database.
--
-- Every index is partial on the rows the collectors read (live, active, pending, recent), so the
-- cost of a query follows the live or recent data it looks at, not the history of the table; past
-- lessons stay live, though, and chat_exporter_lessons_live_id holds every one (below).
-- CONCURRENTLY builds them without blocking the platform's writes: run this file outside a
-- transaction, e.g.  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f deploy/sql/indexes.sql
-- It is idempotent (IF NOT EXISTS, IF EXISTS). An index left INVALID by an interrupted build must be dropped
-- and built again (README.md, "Connecting to the database").

-- chat_rooms_created_today, chat_room_lag: live rooms by creation time.
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_rooms_live_created_at
    ON chat_rooms (created_at) WHERE deleted_at IS NULL;

-- chat_room_lag: a room's pair → the student's live bookings (their status with them) → their lessons.
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_bookings_live_student_status
    ON bookings (student_id, lesson_id) INCLUDE (status) WHERE deleted_at IS NULL;
-- Replaced by chat_exporter_bookings_live_student_status: chat_room_lag also reads each booking's status.
DROP INDEX CONCURRENTLY IF EXISTS chat_exporter_bookings_live_student;

-- chat_bookings_without_room, chat_integrity: the active bookings only.
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_bookings_active
    ON bookings (lesson_id) INCLUDE (student_id, created_at)
    WHERE status = 'active' AND deleted_at IS NULL;

-- chat_integrity: active bookings whose lesson is soft-deleted, read from the few deleted lessons
-- instead of a scan of every lesson.
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_lessons_deleted
    ON lessons (id) WHERE deleted_at IS NOT NULL;

-- chat_bookings: live bookings by status (an index-only scan).
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_bookings_live_status
    ON bookings (status) WHERE deleted_at IS NULL;

-- chat_lessons: live lessons by end time (an index-only scan).
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_lessons_live_end_time
    ON lessons (end_time) WHERE deleted_at IS NULL;

-- chat_bookings_without_room: the teacher of every active booking's lesson, read in lesson order beside
-- chat_exporter_bookings_active (a merge join of two index-only scans instead of a hash of every live
-- lesson; either way the join reads all of them, so its cost grows with the lessons' history);
-- (chat_room_lag read a lesson's teacher and end time from it before chat_exporter_lessons_live_teacher_end.)
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_lessons_live_id
    ON lessons (id) INCLUDE (teacher_id, end_time) WHERE deleted_at IS NULL;

-- Replaced by chat_exporter_lessons_live_id: no plan chose it on the benchmark's data (pg_stat_user_indexes
-- counted no scan; chat_room_lag reads a student's bookings first, then each lesson by id).
DROP INDEX CONCURRENTLY IF EXISTS chat_exporter_lessons_live_teacher;

-- chat_room_lag: a room's teacher → the teacher's live lessons that ended in the 7 days before the room (a range
-- of this index, about 8 a room), each checked against the student's bookings; instead of every booking of the
-- student's history (about 21 a room, more every year) looked up in lessons. 157 → 34 ms at scale 1.
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_lessons_live_teacher_end
    ON lessons (teacher_id, end_time) INCLUDE (id) WHERE deleted_at IS NULL;

-- chat_room_activity: does a room hold a live message?
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_messages_live_room
    ON messages (chat_room_id) WHERE deleted_at IS NULL;

-- chat_messages: the moderation backlog and its oldest message.
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_messages_pending
    ON messages (created_at) WHERE status = 'pending_moderation' AND deleted_at IS NULL;

-- chat_messages: live messages of the last 5 minutes and hour, and the rooms active in the last 24 hours
-- (an index-only scan with the room).
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_messages_live_created_at
    ON messages (created_at) INCLUDE (chat_room_id) WHERE deleted_at IS NULL;

-- chat_audit, chat_audit_response: the last 24 hours of audit rows (an index-only scan with action, status
-- and the end of the operation).
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_exporter_audit_logs_created_at
    ON audit_logs (created_at) INCLUDE (action, status, updated_at);
