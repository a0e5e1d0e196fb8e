-- bench/generate.sql: synthetic data for the platform's schema (deploy/sql/schema.sql) at a chosen scale.
--
--   psql -v scale=1 -v ON_ERROR_STOP=1 -f bench/generate.sql     (into a copy of chat_template)
--   psql -v scale=1 -v history=3 ...                               (the same activity a week, 3 years of it)
--
-- Scale 1 is about 84 k users (4 k teachers, 80 k students), 100 k teacher-student pairs, 1 M lessons and
-- bookings, 100 k chat rooms, 3 M messages and 2 M audit_logs rows; everything grows linearly with the scale.
--
-- The shape of the data:
--   * a pair books a series of 1..19 weekly one-hour lessons (10 on average) at a moment spread evenly over
--     the last year; its first lesson is 1..7 days later, so series run from a year ago to ~5 months ahead;
--     teachers are skewed (a few teach many students);
--   * one booking per lesson (2 % of lessons are left unbooked: student_id NULL, no booking); a booking of a
--     lesson that has ended is 'completed' (88 %), still 'active' (8 %, never closed) or 'cancelled'; of an
--     upcoming lesson 'active' (92 %) or 'cancelled';
--   * the pair's room is created with its first booking, as the trigger does; 1 % of rooms were created late
--     (a backfill, up to two days after the first lesson ended), 0.5 % of pairs have no room at all;
--   * soft deletion: 1 % of lessons, bookings, rooms and messages, 0.2 % of lessons have no end_time;
--   * messages: 70 % of rooms hold some (0..85, 43 on average) spread over the pair's series; a few are
--     waiting for moderation (30 % of the last half hour's, and a handful of stale ones);
--   * audit_logs: spread over the last 120 days, 75 % chat actions (chat.message.send, .read, ...), 2 %
--     failures, updated_at 5..500 ms after created_at.
--
-- Speed: the load runs with no index but the ones the generator needs: bench/load.sh drops the primary,
-- unique and foreign keys first and builds them again afterwards (sorted builds, one validation join per
-- foreign key), with the chat-creation triggers disabled (the rooms are inserted directly). random() is
-- seeded, so a scale always gives the same shape (ids are random UUIDs).
--
-- history (default 1) stretches the past instead of the platform: the same users, as many new pairs and audit
-- rows a week, over `history` years of pairs (and 120 × history days of audit rows). The recent activity stays
-- that of the scale; the tables grow by the factor. A platform grows this way too: it keeps its history.

\set ON_ERROR_STOP 1
\if :{?history}
\else
\set history 1
\endif
SET client_min_messages = warning;
SET synchronous_commit = off;
SET work_mem = '256MB';
SET maintenance_work_mem = '1GB';
SELECT setseed(0.4242) \g /dev/null

CREATE TEMP TABLE bench_now AS SELECT date_trunc('second', localtimestamp) AS t;

CREATE TEMP TABLE cfg AS
SELECT greatest(2, round(4000 * :scale))::int    AS teachers,
       greatest(4, round(80000 * :scale))::int   AS students,
       greatest(4, round(100000 * :scale * :history))::int  AS pairs,
       greatest(10, round(2000000 * :scale * :history))::int AS audit_rows,
       :history::int AS history;

-- Users: teachers 1..T, students T+1..T+S, then 3 admins.
CREATE TEMP TABLE u AS
SELECT i, gen_random_uuid() AS id,
       CASE WHEN i <= c.teachers THEN 'teacher' WHEN i <= c.teachers + c.students THEN 'student' ELSE 'admin' END AS role
  FROM cfg c, generate_series(1, c.teachers + c.students + 3) AS i;
ALTER TABLE u ADD PRIMARY KEY (i);

INSERT INTO users (id, email, first_name, last_name, role, created_at, updated_at, deleted_at)
SELECT u.id, u.role || u.i || '@bench.invalid', 'First' || u.i, 'Last' || u.i, u.role,
       n.t - interval '400 days' + random() * interval '30 days', n.t - random() * interval '30 days',
       CASE WHEN random() < 0.005 THEN n.t - random() * interval '30 days' END
  FROM u, bench_now n;

-- Pairs: a skewed teacher, a uniform student, distinct; a booking moment over the last year; a series length.
CREATE TEMP TABLE pairs AS
WITH candidates AS (
  SELECT 1 + floor(c.teachers * power(random(), 1.6))::int AS t_i,
         c.teachers + 1 + floor(c.students * random())::int AS s_i
    FROM cfg c, generate_series(1, (c.pairs * 1.1)::int + 10)
), distinct_pairs AS (
  SELECT DISTINCT ON (t_i, s_i) t_i, s_i FROM candidates ORDER BY t_i, s_i
)
SELECT row_number() OVER () AS p, t.id AS teacher_id, s.id AS student_id,
       booked_at, date_trunc('day', booked_at) + (1 + floor(random() * 7)) * interval '1 day'
                                              + (8 + floor(random() * 13)) * interval '1 hour' AS first_start,
       1 + floor(random() * 19)::int AS lessons,
       random() AS r_room, random() AS r_msgs
  FROM (SELECT t_i, s_i, (SELECT t FROM bench_now) - random() * (SELECT history FROM cfg) * interval '365 days' AS booked_at
          FROM distinct_pairs ORDER BY random() LIMIT (SELECT pairs FROM cfg)) AS d
  JOIN u t ON t.i = d.t_i
  JOIN u s ON s.i = d.s_i;

-- Lessons and bookings, one row per (pair, k).
CREATE TEMP TABLE lb AS
SELECT p.p, k, gen_random_uuid() AS lesson_id, p.teacher_id, p.student_id,
       p.first_start + (k - 1) * interval '7 days' AS start_time,
       p.booked_at + k * interval '1 millisecond' AS booked_at,
       random() AS r1, random() AS r2, random() AS r3
  FROM pairs p, generate_series(1, p.lessons) AS k;

INSERT INTO lessons (id, teacher_id, student_id, start_time, end_time, created_at, updated_at, deleted_at)
SELECT lb.lesson_id, lb.teacher_id,
       CASE WHEN lb.r1 < 0.02 THEN NULL ELSE lb.student_id END,
       lb.start_time,
       CASE WHEN lb.r2 < 0.002 THEN NULL ELSE lb.start_time + interval '1 hour' END,
       lb.booked_at, lb.booked_at,
       CASE WHEN lb.r3 < 0.01 THEN least(n.t, lb.booked_at + random() * (lb.start_time - lb.booked_at)) END
  FROM lb, bench_now n;

INSERT INTO bookings (id, lesson_id, student_id, status, created_at, updated_at, deleted_at)
SELECT gen_random_uuid(), lb.lesson_id, lb.student_id,
       CASE WHEN lb.start_time + interval '1 hour' < n.t
            THEN CASE WHEN lb.r2 < 0.88 THEN 'completed' WHEN lb.r2 < 0.96 THEN 'active' ELSE 'cancelled' END
            ELSE CASE WHEN lb.r2 < 0.92 THEN 'active' ELSE 'cancelled' END END,
       lb.booked_at, lb.booked_at,
       CASE WHEN lb.r3 > 0.99 THEN least(n.t, lb.booked_at + random() * interval '30 days') END
  FROM lb, bench_now n
 WHERE lb.r1 >= 0.02;

-- Rooms: with the pair's first booking; 1 % late (after the first lesson ended), 0.5 % missing, 1 % deleted.
CREATE TEMP TABLE rooms AS
SELECT p.p, gen_random_uuid() AS id, p.teacher_id, p.student_id, p.lessons, p.r_msgs,
       CASE WHEN p.r_room < 0.01 AND p.first_start + interval '1 hour' < n.t
            THEN least(n.t, p.first_start + interval '1 hour' + random() * interval '48 hours')
            ELSE p.booked_at END AS created_at,
       random() AS r_del
  FROM pairs p, bench_now n
 WHERE p.r_room < 0.995;

INSERT INTO chat_rooms (id, teacher_id, student_id, last_message_at, created_at, updated_at, deleted_at)
SELECT r.id, r.teacher_id, r.student_id, NULL, r.created_at, r.created_at,
       CASE WHEN r.r_del < 0.01 THEN r.created_at + random() * (n.t - r.created_at) END
  FROM rooms r, bench_now n;

-- Messages: 70 % of rooms, 0..85 each, spread over the series (and the week after it), never in the future.
INSERT INTO messages (id, chat_room_id, sender_id, message_text, status, moderation_completed_at,
                      created_at, updated_at, deleted_at)
SELECT gen_random_uuid(), m.room_id, m.sender_id, 'Message ' || m.k || ' about the lesson',
       CASE WHEN m.created_at > n.t - interval '30 minutes' AND m.r < 0.3 THEN 'pending_moderation'
            WHEN m.r > 0.99995 THEN 'pending_moderation'
            WHEN m.r > 0.99 THEN 'blocked'
            ELSE 'delivered' END,
       CASE WHEN (m.created_at > n.t - interval '30 minutes' AND m.r < 0.3) OR m.r > 0.99995 THEN NULL
            ELSE m.created_at + interval '2 seconds' END,
       m.created_at, m.created_at,
       CASE WHEN m.r BETWEEN 0.5 AND 0.51 THEN least(n.t, m.created_at + interval '1 hour') END
  FROM (SELECT r.id AS room_id, k,
               CASE WHEN k % 2 = 0 THEN r.teacher_id ELSE r.student_id END AS sender_id,
               r.created_at + random() * least((SELECT t FROM bench_now) - r.created_at,
                                               (r.lessons + 2) * interval '7 days') AS created_at,
               random() AS r
          FROM rooms r, generate_series(1, floor(r.r_msgs / 0.7 * 86)::int) AS k
         WHERE r.r_msgs < 0.7) AS m, bench_now n;

-- audit_logs: the last 120 days.
INSERT INTO audit_logs (id, user_id, action, resource, resource_id, status, details, ip_address, user_agent,
                        created_at, updated_at)
SELECT gen_random_uuid(), u.id, a.action, split_part(a.action, '.', 2), a.i::text,
       CASE WHEN a.r2 < CASE WHEN a.action = 'chat.message.moderate' THEN 0.04 ELSE 0.02 END THEN 'failure' ELSE 'success' END,
       CASE WHEN a.r2 > 0.8 THEN jsonb_build_object('n', a.i, 'source', 'bench') END,
       '10.0.' || (a.i % 250) || '.' || (a.i % 200), 'bench/1.0',
       a.created_at, a.created_at + (5 + a.r3 * 495) * interval '1 millisecond'
  FROM (SELECT i, random() AS r2, random() AS r3,
               (SELECT t FROM bench_now) - random() * (SELECT history FROM cfg) * interval '120 days' AS created_at,
               1 + floor(random() * (SELECT teachers + students FROM cfg))::int AS u_i,
               (ARRAY['chat.message.send', 'chat.message.send', 'chat.message.send', 'chat.message.send',
                      'chat.message.send', 'chat.message.send', 'chat.message.send', 'chat.message.send',
                      'chat.message.send', 'chat.message.send', 'chat.message.read', 'chat.message.read',
                      'chat.message.read', 'chat.room.open', 'chat.room.open', 'chat.room.create',
                      'chat.message.moderate', 'chat.message.delete', 'auth.login', 'auth.login',
                      'booking.create', 'lesson.update', 'lesson.create', 'auth.logout'])
                      [1 + floor(random() * 24)::int] AS action
          FROM generate_series(1, (SELECT audit_rows FROM cfg)) AS i) AS a
  JOIN u ON u.i = a.u_i;

DROP TABLE lb, rooms, pairs, u, cfg, bench_now;
