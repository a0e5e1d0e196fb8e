-- The tutoring platform's schema as chat-exporter sees it (the seed documents 001, 002 and 004),
-- plus migration 050_chat_on_booking_creation (the function and the two triggers that create a
-- chat room when a booking becomes active).
--
-- Plain DDL for an empty database: the test clusters load it into the template database
-- `chat_template` (scripts/pg-cluster.sh). Timestamps are TIMESTAMP WITHOUT TIME ZONE, as in
-- the seeds. Only primary keys, foreign keys and the unique constraints of the seeds are here:
-- the indexes chat-exporter's queries need live in deploy/sql/indexes.sql.

CREATE TABLE users (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email       VARCHAR(255) UNIQUE,
    first_name  VARCHAR(255),
    last_name   VARCHAR(255),
    role        VARCHAR(50),                -- 'teacher', 'student', 'admin'
    created_at  TIMESTAMP DEFAULT now(),
    updated_at  TIMESTAMP DEFAULT now(),
    deleted_at  TIMESTAMP
);

CREATE TABLE lessons (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    teacher_id  UUID NOT NULL REFERENCES users (id),
    student_id  UUID REFERENCES users (id), -- NULL for a lesson nobody has booked yet
    start_time  TIMESTAMP,
    end_time    TIMESTAMP,                  -- may be NULL
    created_at  TIMESTAMP DEFAULT now(),
    updated_at  TIMESTAMP DEFAULT now(),
    deleted_at  TIMESTAMP                   -- soft delete
);

CREATE TABLE bookings (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    lesson_id   UUID NOT NULL REFERENCES lessons (id),
    student_id  UUID NOT NULL REFERENCES users (id),
    status      VARCHAR(50),                -- 'active', 'completed', 'cancelled'
    created_at  TIMESTAMP DEFAULT now(),
    updated_at  TIMESTAMP DEFAULT now(),
    deleted_at  TIMESTAMP                   -- soft delete
);

CREATE TABLE chat_rooms (
    id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    teacher_id      UUID NOT NULL REFERENCES users (id),
    student_id      UUID NOT NULL REFERENCES users (id),
    last_message_at TIMESTAMP,
    created_at      TIMESTAMP DEFAULT now(),
    updated_at      TIMESTAMP DEFAULT now(),
    deleted_at      TIMESTAMP,              -- soft delete
    UNIQUE (teacher_id, student_id)
);

CREATE TABLE messages (
    id                      UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    chat_room_id            UUID NOT NULL REFERENCES chat_rooms (id),
    sender_id               UUID NOT NULL REFERENCES users (id),
    message_text            TEXT,
    status                  VARCHAR(50),    -- 'pending_moderation', 'delivered', 'blocked'
    moderation_completed_at TIMESTAMP,      -- NULL while pending_moderation
    created_at              TIMESTAMP DEFAULT now(),
    updated_at              TIMESTAMP DEFAULT now(),
    deleted_at              TIMESTAMP       -- soft delete
);

-- The chat backend's audit trail (seed 004): one row per operation, e.g. action 'chat.message.send',
-- resource 'message', status 'success' or 'failure'; updated_at - created_at is how long it took.
CREATE TABLE audit_logs (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     UUID REFERENCES users (id),
    action      VARCHAR(100) NOT NULL,
    resource    VARCHAR(100),
    resource_id VARCHAR(255),
    status      VARCHAR(20),                -- 'success', 'failure'
    details     JSONB,
    ip_address  VARCHAR(45),
    user_agent  TEXT,
    created_at  TIMESTAMP DEFAULT now(),
    updated_at  TIMESTAMP DEFAULT now()
);

-- Migration 050_chat_on_booking_creation: a chat room between the lesson's teacher and the student
-- as soon as a booking is inserted as, or changes to, 'active'. The UNIQUE (teacher_id, student_id)
-- constraint keeps it to one room per pair; an existing room, soft-deleted or not, is left alone.
CREATE FUNCTION create_chat_on_booking_active() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    v_teacher_id UUID;
BEGIN
    SELECT l.teacher_id INTO v_teacher_id
    FROM lessons l
    WHERE l.id = NEW.lesson_id;

    IF v_teacher_id IS NOT NULL AND v_teacher_id <> NEW.student_id THEN
        INSERT INTO chat_rooms (teacher_id, student_id, created_at, updated_at)
        VALUES (v_teacher_id, NEW.student_id, now(), now())
        ON CONFLICT (teacher_id, student_id) DO NOTHING;
    END IF;

    RETURN NEW;
END;
$$;

CREATE TRIGGER booking_create_chat
BEFORE INSERT ON bookings
FOR EACH ROW
WHEN (NEW.status = 'active')
EXECUTE FUNCTION create_chat_on_booking_active();

CREATE TRIGGER booking_create_chat_update
BEFORE UPDATE ON bookings
FOR EACH ROW
WHEN (NEW.status = 'active' AND OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION create_chat_on_booking_active();
