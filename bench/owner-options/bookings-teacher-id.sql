-- Option A of bench/findings.md, "What the owner's options buy": a migration for the PLATFORM to run, not the
-- exporter (chat-exporter never installs triggers on the tables it watches). Each booking carries its lesson's
-- teacher, kept by triggers, so that the pair of a booking needs no join to lessons. bench/options.py applies
-- it to a copy of a bench database and measures the collectors of bench/owner-options/teacher-id.yml against the
-- default ones on the same data.
--
-- Not measured: what the two triggers cost the platform's writes (one primary-key look-up of lessons per
-- inserted booking; a booking update per moved booking when a lesson changes teacher).
BEGIN;
ALTER TABLE bookings ADD COLUMN teacher_id uuid REFERENCES users (id);
UPDATE bookings b SET teacher_id = l.teacher_id FROM lessons l WHERE l.id = b.lesson_id;

CREATE FUNCTION bookings_fill_teacher_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.teacher_id := (SELECT teacher_id FROM lessons WHERE id = NEW.lesson_id);
    RETURN NEW;
END $$;
CREATE TRIGGER bookings_fill_teacher_id BEFORE INSERT OR UPDATE OF lesson_id, teacher_id ON bookings
    FOR EACH ROW EXECUTE FUNCTION bookings_fill_teacher_id();

CREATE FUNCTION lessons_follow_teacher_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE bookings SET teacher_id = NEW.teacher_id WHERE lesson_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER lessons_follow_teacher_id AFTER UPDATE OF teacher_id ON lessons
    FOR EACH ROW WHEN (OLD.teacher_id IS DISTINCT FROM NEW.teacher_id) EXECUTE FUNCTION lessons_follow_teacher_id();
COMMIT;

-- The indexes the option's collectors would ship in deploy/sql/indexes.sql: the active bookings by pair (the
-- backlog) and the live bookings by pair (the lag's look-up of a room's pair).
CREATE INDEX chat_exporter_bookings_active_pair ON bookings (teacher_id, student_id) INCLUDE (created_at, lesson_id)
    WHERE status = 'active' AND deleted_at IS NULL;
CREATE INDEX chat_exporter_bookings_live_pair ON bookings (teacher_id, student_id) INCLUDE (lesson_id, status)
    WHERE deleted_at IS NULL;
VACUUM (ANALYZE) bookings;
