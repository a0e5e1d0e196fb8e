-- A little realistic sample data for a demo database that holds deploy/sql/schema.sql
-- (for example a copy of a test cluster's chat_template):
--
--   psql -X -q -v ON_ERROR_STOP=1 -d DEMO_DB -f scripts/demo-data.sql
--
-- What it makes (times relative to now, in the session's time zone, like DEFAULT now()):
--   users       50 teachers, 300 students, and 6 students of the special cases below
--   lessons     ~2,000 over the last 60 and the next 14 days; ~3% without end_time, ~1% soft-deleted
--   bookings    ~2,600: mostly active, some completed and cancelled; inserted so that the triggers of
--               migration 050 create the chat rooms (some through INSERT ... 'active', some through
--               UPDATE 'pending' -> 'active'; completed ones were active first)
--   chat_rooms  one per teacher/student pair that had an active booking, created_at = the moment the
--               booking became active, as the trigger would have stamped it
--   special     5 active bookings whose room is missing (inserted with booking_create_chat disabled)
--               and 1 active booking whose only room is soft-deleted
--   messages    0 to 15 per room (~10,000): delivered, ~0.8% pending_moderation (minutes old, a few
--               stuck for hours), ~1% blocked
--   audit_logs  ~6,000 rows over the last 2 days: chat.message.send, chat.message.moderate,
--               chat.room.create, chat.room.list; ~0.2% failures, within the 99.5% objective of
--               alerts/chat-creation.rules.yml (the demo pages for its planted incidents, not for noise);
--               updated_at - created_at is the duration
--
-- Deterministic: ids are md5-derived and random() is seeded. One transaction; a second run fails on
-- the duplicate ids and changes nothing.

\set ON_ERROR_STOP on

BEGIN;

SET LOCAL max_parallel_workers_per_gather = 0;  -- keeps the order of random() calls, hence the data, fixed
SELECT setseed(0.2025) \gset

-- ---------------------------------------------------------------------------------------------------
-- Users
-- ---------------------------------------------------------------------------------------------------
CREATE TEMP TABLE demo_names ON COMMIT DROP AS
SELECT ARRAY['Anna','Boris','Clara','Dmitry','Elena','Felix','Galina','Hugo','Irina','Jonas',
             'Ksenia','Leon','Maria','Nikita','Olga','Pavel','Quentin','Raisa','Sergey','Tatiana',
             'Ulrich','Vera','Wojciech','Xenia','Yuri','Zoe'] AS first_names,
       ARRAY['Ivanova','Petrov','Smirnova','Kuznetsov','Popova','Vasiliev','Sokolova','Mikhailov',
             'Novikova','Fedorov','Morozova','Volkov','Alekseeva','Lebedev','Semenova','Egorov',
             'Pavlova','Kozlov','Stepanova','Nikolaev'] AS last_names;

INSERT INTO users (id, email, first_name, last_name, role, created_at, updated_at)
SELECT md5('demo-teacher-' || i)::uuid,
       format('teacher%s@demo.example', i),
       n.first_names[1 + (i * 7) % 26],
       n.last_names[1 + (i * 11) % 20],
       'teacher',
       t.created_at,
       t.created_at + random() * (localtimestamp - t.created_at)
FROM generate_series(1, 50) AS i
CROSS JOIN demo_names AS n
CROSS JOIN LATERAL (
    SELECT date_trunc('second', localtimestamp - interval '90 days' - random() * interval '600 days') AS created_at
    WHERE i > 0
) AS t;

INSERT INTO users (id, email, first_name, last_name, role, created_at, updated_at)
SELECT md5('demo-student-' || i)::uuid,
       format('student%s@demo.example', i),
       n.first_names[1 + (i * 5) % 26],
       n.last_names[1 + (i * 3) % 20],
       'student',
       t.created_at,
       t.created_at
FROM generate_series(1, 300) AS i
CROSS JOIN demo_names AS n
CROSS JOIN LATERAL (
    SELECT date_trunc('second', localtimestamp - interval '61 days' - random() * interval '400 days') AS created_at
    WHERE i > 0
) AS t;

-- The special cases' students: 1-5 have an active booking without a room, 6 one whose room is soft-deleted.
INSERT INTO users (id, email, first_name, last_name, role, created_at, updated_at)
SELECT md5('demo-special-student-' || i)::uuid,
       format('special%s@demo.example', i),
       'Special', format('Case %s', i),
       'student',
       localtimestamp - interval '70 days',
       localtimestamp - interval '70 days'
FROM generate_series(1, 6) AS i;

-- ---------------------------------------------------------------------------------------------------
-- Lessons: 85% individual (lessons.student_id set), 15% group lessons (student_id NULL, 2-4 bookings)
-- ---------------------------------------------------------------------------------------------------
CREATE TEMP TABLE demo_lessons ON COMMIT DROP AS
SELECT i,
       md5('demo-lesson-' || i)::uuid AS id,
       1 + floor(random() * 50)::int AS teacher_no,
       1 + floor(random() * 300)::int AS student_no,
       random() < 0.15 AS is_group,
       date_trunc('hour', localtimestamp - interval '60 days' + random() * interval '74 days')
           + floor(random() * 4) * interval '15 minutes' AS start_time,
       (ARRAY[45, 60, 60, 60, 90])[1 + floor(random() * 5)::int] AS minutes,
       random() < 0.03 AS no_end_time,
       random() < 0.01 AS is_deleted,
       random() AS r_created,
       random() AS r_deleted
FROM generate_series(1, 2000) AS i;

ALTER TABLE demo_lessons ADD COLUMN created_at TIMESTAMP, ADD COLUMN deleted_at TIMESTAMP;
UPDATE demo_lessons
SET created_at = least(date_trunc('second', start_time - interval '1 day' - r_created * interval '20 days'),
                       date_trunc('second', localtimestamp - interval '2 days'));
UPDATE demo_lessons
SET deleted_at = date_trunc('second', created_at + r_deleted * (localtimestamp - created_at))
WHERE is_deleted;

INSERT INTO lessons (id, teacher_id, student_id, start_time, end_time, created_at, updated_at, deleted_at)
SELECT id,
       md5('demo-teacher-' || teacher_no)::uuid,
       CASE WHEN is_group THEN NULL ELSE md5('demo-student-' || student_no)::uuid END,
       start_time,
       CASE WHEN no_end_time THEN NULL ELSE start_time + minutes * interval '1 minute' END,
       created_at,
       coalesce(deleted_at, created_at),
       deleted_at
FROM demo_lessons;

-- ---------------------------------------------------------------------------------------------------
-- Bookings. final_status is where each one ends up; activated_at is when it became active (if ever).
-- ---------------------------------------------------------------------------------------------------
CREATE TEMP TABLE demo_bookings ON COMMIT DROP AS
WITH seats AS (
    SELECT l.i AS lesson_no, l.id AS lesson_id, l.teacher_no, l.start_time,
           l.start_time + l.minutes * interval '1 minute' AS finish_time,
           l.created_at AS lesson_created_at,
           CASE WHEN l.is_group THEN 1 + (l.student_no + s * 37) % 300 ELSE l.student_no END AS student_no,
           s AS seat
    FROM demo_lessons AS l
    CROSS JOIN LATERAL generate_series(0, CASE WHEN l.is_group THEN 1 + floor(random() * 3)::int ELSE 0 END) AS s
),
drawn AS (
    SELECT seats.*, random() AS r_status, random() AS r_created, random() AS r_via_update,
           random() AS r_activation, random() AS r_deleted
    FROM seats
)
SELECT md5('demo-booking-' || d.lesson_no || '-' || d.seat)::uuid AS id,
       d.lesson_id,
       md5('demo-student-' || d.student_no)::uuid AS student_id,
       d.teacher_no,
       d.student_no,
       CASE
           WHEN d.finish_time < localtimestamp AND d.r_status < 0.25 THEN 'completed'
           WHEN d.r_status > 0.88 THEN 'cancelled'
           ELSE 'active'
       END AS final_status,
       d.r_via_update < 0.10 AS via_update,
       d.r_activation,
       d.r_deleted,
       d.finish_time,
       date_trunc('second', d.lesson_created_at
           + d.r_created * (least(d.start_time, localtimestamp - interval '1 hour') - d.lesson_created_at)) AS created_at
FROM drawn AS d;

ALTER TABLE demo_bookings ADD COLUMN activated_at TIMESTAMP, ADD COLUMN updated_at TIMESTAMP, ADD COLUMN deleted_at TIMESTAMP;

UPDATE demo_bookings
SET activated_at = CASE
        WHEN final_status = 'cancelled' THEN NULL
        WHEN via_update THEN date_trunc('second', created_at + r_activation * least(interval '2 days', localtimestamp - created_at))
        ELSE created_at
    END;

UPDATE demo_bookings
SET updated_at = CASE final_status
        WHEN 'completed' THEN date_trunc('second', finish_time + r_activation * interval '3 hours')
        WHEN 'cancelled' THEN date_trunc('second', created_at + r_activation * (localtimestamp - created_at))
        ELSE activated_at
    END;
UPDATE demo_bookings SET updated_at = least(updated_at, localtimestamp);
UPDATE demo_bookings SET deleted_at = updated_at WHERE final_status = 'cancelled' AND r_deleted < 0.10;

-- The triggers create the rooms: 'active' rows through booking_create_chat, 'pending' rows when they
-- are updated to 'active' (booking_create_chat_update). Completed bookings were active first.
INSERT INTO bookings (id, lesson_id, student_id, status, created_at, updated_at, deleted_at)
SELECT id, lesson_id, student_id,
       CASE
           WHEN final_status = 'cancelled' THEN 'cancelled'
           WHEN via_update THEN 'pending'
           ELSE 'active'
       END,
       created_at,
       created_at,
       deleted_at
FROM demo_bookings
ORDER BY created_at;

UPDATE bookings AS b
SET status = 'active', updated_at = d.activated_at
FROM demo_bookings AS d
WHERE b.id = d.id AND b.status = 'pending';

UPDATE bookings AS b
SET status = d.final_status, updated_at = d.updated_at
FROM demo_bookings AS d
WHERE b.id = d.id AND (b.status IS DISTINCT FROM d.final_status OR b.updated_at IS DISTINCT FROM d.updated_at);

-- The trigger stamps a room with now(): give each room the moment its first booking became active.
UPDATE chat_rooms AS cr
SET created_at = f.first_activated_at, updated_at = f.first_activated_at
FROM (
    SELECT md5('demo-teacher-' || teacher_no)::uuid AS teacher_id, student_id, min(activated_at) AS first_activated_at
    FROM demo_bookings
    WHERE activated_at IS NOT NULL
    GROUP BY 1, 2
) AS f
WHERE cr.teacher_id = f.teacher_id AND cr.student_id = f.student_id;

-- ---------------------------------------------------------------------------------------------------
-- Special cases
-- ---------------------------------------------------------------------------------------------------
INSERT INTO lessons (id, teacher_id, student_id, start_time, end_time, created_at, updated_at)
SELECT md5('demo-special-lesson-' || k)::uuid,
       md5('demo-teacher-' || (k * 7))::uuid,
       md5('demo-special-student-' || k)::uuid,
       s.start_time,
       s.start_time + interval '1 hour',
       s.start_time - interval '3 days',
       s.start_time - interval '3 days'
FROM generate_series(1, 6) AS k
CROSS JOIN LATERAL (
    -- 1-3 ended 2 h, 26 h and 5 days ago; 4-5 are upcoming; 6 (soft-deleted room) ended yesterday.
    SELECT date_trunc('hour', localtimestamp) + (ARRAY[-3, -27, -121, 20, 50, -30])[k] * interval '1 hour' AS start_time
) AS s;

-- Active bookings whose room is missing: the INSERT trigger is off around them.
ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;
INSERT INTO bookings (id, lesson_id, student_id, status, created_at, updated_at)
SELECT md5('demo-special-booking-' || k)::uuid,
       md5('demo-special-lesson-' || k)::uuid,
       md5('demo-special-student-' || k)::uuid,
       'active',
       l.created_at + interval '2 hours',
       l.created_at + interval '2 hours'
FROM generate_series(1, 5) AS k
JOIN lessons AS l ON l.id = md5('demo-special-lesson-' || k)::uuid;
ALTER TABLE bookings ENABLE TRIGGER booking_create_chat;

-- An active booking whose room was soft-deleted afterwards.
INSERT INTO bookings (id, lesson_id, student_id, status, created_at, updated_at)
SELECT md5('demo-special-booking-6')::uuid, l.id, l.student_id, 'active',
       l.created_at + interval '2 hours', l.created_at + interval '2 hours'
FROM lessons AS l
WHERE l.id = md5('demo-special-lesson-6')::uuid;

UPDATE chat_rooms AS cr
SET created_at = l.created_at + interval '2 hours',
    updated_at = l.end_time + interval '4 hours',
    deleted_at = l.end_time + interval '4 hours'
FROM lessons AS l
WHERE l.id = md5('demo-special-lesson-6')::uuid
  AND cr.teacher_id = l.teacher_id AND cr.student_id = l.student_id;

-- The trigger's rooms got random ids: derive them from the pair instead, so that the data is repeatable.
UPDATE chat_rooms SET id = md5('demo-room-' || teacher_id || '-' || student_id)::uuid;

-- ---------------------------------------------------------------------------------------------------
-- Messages
-- ---------------------------------------------------------------------------------------------------
CREATE TEMP TABLE demo_phrases ON COMMIT DROP AS
SELECT ARRAY['Hello! Looking forward to our lesson.',
             'Could we move the lesson by half an hour?',
             'Here is the homework for next time.',
             'Thank you, that was very helpful!',
             'I did not understand exercise 4, can you explain?',
             'Please bring your notebook.',
             'See you on Thursday.',
             'I uploaded the slides.',
             'Sorry, I will be five minutes late.',
             'Great progress today!'] AS texts;

INSERT INTO messages (id, chat_room_id, sender_id, message_text, status, moderation_completed_at,
                      created_at, updated_at, deleted_at)
SELECT md5('demo-message-' || m.room_id || '-' || m.n)::uuid,
       m.room_id,
       CASE WHEN m.r_sender < 0.5 THEN m.teacher_id ELSE m.student_id END,
       p.texts[1 + floor(m.r_text * 10)::int],
       m.status,
       CASE WHEN m.status <> 'pending_moderation'
            THEN m.created_at + (0.2 + power(m.r_moderation, 3) * 30) * interval '1 second' END,
       m.created_at,
       CASE WHEN m.status <> 'pending_moderation'
            THEN m.created_at + (0.2 + power(m.r_moderation, 3) * 30) * interval '1 second'
            ELSE m.created_at END,
       CASE WHEN m.r_deleted < 0.005 THEN m.created_at + interval '10 minutes' END
FROM demo_phrases AS p
CROSS JOIN (
    SELECT r.room_id, r.teacher_id, r.student_id, g.n, x.r_sender, x.r_text, x.r_moderation, x.r_deleted,
           CASE
               WHEN x.r_status < 0.008 THEN 'pending_moderation'
               WHEN x.r_status < 0.018 THEN 'blocked'
               ELSE 'delivered'
           END AS status,
           CASE
               -- Pending messages are minutes old, but one in eight has been stuck for hours.
               WHEN x.r_status < 0.001
                   THEN greatest(r.created_at, localtimestamp - interval '1 hour' - x.r_time * interval '5 hours')
               WHEN x.r_status < 0.008
                   THEN greatest(r.created_at, localtimestamp - x.r_time * interval '15 minutes')
               ELSE r.created_at + x.r_time * (localtimestamp - r.created_at)
           END AS created_at
    FROM (
        SELECT cr.id AS room_id, cr.teacher_id, cr.student_id, cr.created_at,
               floor(power(random(), 2) * 16)::int AS message_count
        FROM chat_rooms AS cr
        WHERE cr.deleted_at IS NULL
        ORDER BY cr.teacher_id, cr.student_id
    ) AS r
    CROSS JOIN LATERAL generate_series(1, r.message_count) AS g(n)
    CROSS JOIN LATERAL (
        SELECT random() AS r_sender, random() AS r_text, random() AS r_status, random() AS r_time,
               random() AS r_moderation, random() AS r_deleted
        WHERE g.n > 0
    ) AS x
) AS m;

UPDATE chat_rooms AS cr
SET last_message_at = l.last_at
FROM (
    SELECT chat_room_id, max(created_at) AS last_at
    FROM messages
    WHERE deleted_at IS NULL
    GROUP BY chat_room_id
) AS l
WHERE cr.id = l.chat_room_id;

-- ---------------------------------------------------------------------------------------------------
-- Audit logs: the last 2 days; duration = updated_at - created_at, log-normal around a per-action median
-- ---------------------------------------------------------------------------------------------------
INSERT INTO audit_logs (id, user_id, action, resource, resource_id, status, details, ip_address, user_agent,
                        created_at, updated_at)
SELECT md5('demo-audit-' || a.i)::uuid,
       CASE WHEN a.r_user < 0.3 THEN md5('demo-teacher-' || (1 + floor(a.r_who * 50)::int))::uuid
            ELSE md5('demo-student-' || (1 + floor(a.r_who * 300)::int))::uuid END,
       a.action,
       CASE WHEN a.action LIKE 'chat.message.%' THEN 'message' ELSE 'chat_room' END,
       md5('demo-audit-resource-' || a.i)::uuid::text,
       a.status,
       CASE WHEN a.status = 'failure'
            THEN jsonb_build_object('error', (ARRAY['timeout', 'rate_limited', 'validation_failed', 'db_error'])[1 + floor(a.r_error * 4)::int])
            ELSE jsonb_build_object('request_id', md5('demo-request-' || a.i)) END,
       format('10.%s.%s.%s', a.i % 7, (a.i * 13) % 256, (a.i * 29) % 254 + 1),
       (ARRAY['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0',
              'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15',
              'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148',
              'TheBotApp/3.2.1 (Android 14)'])[1 + floor(a.r_agent * 4)::int],
       a.created_at,
       a.created_at + a.duration_ms * interval '1 millisecond'
FROM (
    SELECT b.*,
           CASE
               WHEN b.status = 'failure' AND b.r_error < 0.25 THEN 5000 + b.r_slow * 25000   -- timeouts
               ELSE b.median_ms * exp(0.7 * sqrt(-2 * ln(1 - b.u1)) * cos(2 * pi() * b.u2))
           END AS duration_ms
    FROM (
        SELECT i, r_user, r_who, r_error, r_agent, r_slow, u1, u2, created_at, action,
               CASE WHEN r_fail < 0.002 THEN 'failure' ELSE 'success' END AS status,
               CASE action
                   WHEN 'chat.message.send' THEN 80
                   WHEN 'chat.message.moderate' THEN 450
                   WHEN 'chat.room.create' THEN 25
                   ELSE 40
               END AS median_ms
        FROM (
            SELECT i, random() AS r_user, random() AS r_who, random() AS r_error, random() AS r_agent,
                   random() AS r_slow, random() AS u1, random() AS u2, random() AS r_fail,
                   date_trunc('milliseconds', localtimestamp - random() * interval '2 days') AS created_at,
                   CASE
                       WHEN r_action < 0.60 THEN 'chat.message.send'
                       WHEN r_action < 0.80 THEN 'chat.message.moderate'
                       WHEN r_action < 0.88 THEN 'chat.room.create'
                       ELSE 'chat.room.list'
                   END AS action
            FROM (SELECT i, random() AS r_action FROM generate_series(1, 6000) AS i) AS g
        ) AS c
    ) AS b
) AS a;

COMMIT;

ANALYZE;

-- What it made.
SELECT 'users' AS table_name, count(*) AS row_count FROM users
UNION ALL SELECT 'lessons', count(*) FROM lessons
UNION ALL SELECT 'bookings', count(*) FROM bookings
UNION ALL SELECT 'chat_rooms', count(*) FROM chat_rooms
UNION ALL SELECT 'messages', count(*) FROM messages
UNION ALL SELECT 'audit_logs', count(*) FROM audit_logs;
