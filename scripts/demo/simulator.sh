#!/usr/bin/env bash
# A small activity simulator for the demo database of scripts/run.sh: the platform at work.
#
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres PGPASSWORD=... PGDATABASE=demo scripts/demo/simulator.sh
#
# Every SIM_INTERVAL seconds (default 2) it:
#   - signs up a student now and then and books them on an upcoming lesson ('pending'), then activates bookings:
#     the migration-050 trigger creates the chat rooms, so chat_bookings_active grows;
#   - writes a few messages in live rooms (delivered, some pending moderation, a few blocked) and finishes the
#     moderation of recent ones;
#   - writes audit_logs rows of the chat backend (chat.message.send, chat.room.create, ...; ~0.2% failures,
#     within the alerts' 99.5% objective);
#   - every SIM_MISS_EVERY-th round (default 15, about every 30 s), activates one booking with the trigger
#     disabled for that one statement (and enabled again in the same transaction), so a booking is left without
#     a room: chat_bookings_without_room{reason="missing"} rises until `chat-exporter backfill` repairs it;
#   - every 10th round completes an old active booking.
#
# Needs the superuser (ALTER TABLE). Stops on SIGTERM/SIGINT, and by itself when SIM_PARENT_PID (if set) is gone.
# Errors of a round are logged and the next round goes on (the database may be restarting).
set -uo pipefail

readonly INTERVAL="${SIM_INTERVAL:-2}"
readonly MISS_EVERY="${SIM_MISS_EVERY:-15}"
readonly PSQL="${PSQL:-psql}"
readonly PARENT="${SIM_PARENT_PID:-}"

log() { printf '%s simulator: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

SLEEPER=""
trap '[[ -n "$SLEEPER" ]] && kill "$SLEEPER" 2>/dev/null; exit 0' TERM INT

# Runs the SQL on stdin statement by statement (each its own transaction unless it says BEGIN), printing only
# errors; with ON_ERROR_STOP=1 as its argument, stops at the first one (an open transaction is rolled back).
run_sql() {
    local stop="${1:-0}"
    "$PSQL" -X -q -At -v ON_ERROR_STOP="$stop" -f - 2>&1 >/dev/null
}

# One round of ordinary activity, one transaction per statement (autocommit), as the platform writes.
readonly ROUND_SQL="
SET lock_timeout = '3s';

-- Now and then a new student signs up.
INSERT INTO users (email, first_name, last_name, role)
SELECT format('sim-%s@demo.example', substr(md5(random()::text), 1, 12)), 'Sim', 'Student', 'student'
WHERE random() < 0.5;

-- A booking request on an upcoming lesson (a new lesson when the teacher has none), from a random student.
WITH teacher AS (
    SELECT id FROM users WHERE role = 'teacher' AND deleted_at IS NULL ORDER BY random() LIMIT 1
), lesson AS (
    INSERT INTO lessons (teacher_id, start_time, end_time)
    SELECT t.id, s.start_time, s.start_time + interval '1 hour'
      FROM teacher t,
           LATERAL (SELECT date_trunc('hour', localtimestamp) + interval '1 hour' * (2 + floor(random() * 24 * 7)) AS start_time) s
    RETURNING id
)
INSERT INTO bookings (lesson_id, student_id, status)
SELECT lesson.id, (SELECT id FROM users WHERE role = 'student' AND deleted_at IS NULL ORDER BY random() LIMIT 1), 'pending'
  FROM lesson;

-- The oldest requests are confirmed: the trigger creates the pair's room.
UPDATE bookings SET status = 'active', updated_at = now()
 WHERE id IN (SELECT id FROM bookings WHERE status = 'pending' AND deleted_at IS NULL ORDER BY created_at LIMIT 1 + (random() < 0.3)::int);

-- Messages in live rooms.
INSERT INTO messages (chat_room_id, sender_id, message_text, status, moderation_completed_at)
SELECT r.id,
       CASE WHEN random() < 0.5 THEN r.teacher_id ELSE r.student_id END,
       'simulated message',
       CASE WHEN r.x < 0.85 THEN 'delivered' WHEN r.x < 0.98 THEN 'pending_moderation' ELSE 'blocked' END,
       CASE WHEN r.x < 0.85 OR r.x >= 0.98 THEN now() END
  FROM (SELECT id, teacher_id, student_id, random() AS x
          FROM chat_rooms WHERE deleted_at IS NULL ORDER BY random() LIMIT 1 + floor(random() * 4)::int) r;

-- Moderation catches up with recent messages (the demo's old stuck ones stay stuck).
UPDATE messages SET status = 'delivered', moderation_completed_at = now(), updated_at = now()
 WHERE id IN (SELECT id FROM messages
               WHERE status = 'pending_moderation' AND created_at > now() - interval '1 hour'
                 AND created_at < now() - interval '5 seconds'
               ORDER BY created_at LIMIT 2);

-- The chat backend's audit trail: updated_at - created_at is how long the operation took.
INSERT INTO audit_logs (user_id, action, resource, status, created_at, updated_at)
SELECT (SELECT id FROM users ORDER BY random() LIMIT 1),
       a.action, a.resource,
       CASE WHEN random() < 0.002 THEN 'failure' ELSE 'success' END,
       now(), now() + random() * interval '300 milliseconds'
  FROM (SELECT (ARRAY['chat.message.send', 'chat.message.moderate', 'chat.room.list', 'chat.room.create'])[1 + floor(random() * 4)::int] AS action,
               'message' AS resource
          FROM generate_series(1, 2 + floor(random() * 4)::int)) a;
"

# A booking activated while the trigger is off: the room the platform forgot. One transaction, so the trigger is
# off only for that statement, and on again whatever happens.
readonly MISS_SQL="
SET lock_timeout = '3s';
INSERT INTO users (email, first_name, last_name, role)
VALUES (format('sim-missed-%s@demo.example', substr(md5(random()::text), 1, 12)), 'Forgotten', 'Student', 'student');
INSERT INTO bookings (lesson_id, student_id, status)
SELECT (SELECT id FROM lessons WHERE deleted_at IS NULL AND start_time > localtimestamp ORDER BY random() LIMIT 1),
       (SELECT id FROM users WHERE email LIKE 'sim-missed-%' ORDER BY created_at DESC, id LIMIT 1),
       'pending';
BEGIN;
ALTER TABLE bookings DISABLE TRIGGER booking_create_chat_update;
UPDATE bookings SET status = 'active', updated_at = now()
 WHERE id = (SELECT b.id FROM bookings b JOIN users u ON u.id = b.student_id
              WHERE b.status = 'pending' AND u.email LIKE 'sim-missed-%'
              ORDER BY b.created_at DESC LIMIT 1);
ALTER TABLE bookings ENABLE TRIGGER booking_create_chat_update;
COMMIT;
"

readonly COMPLETE_SQL="
UPDATE bookings SET status = 'completed', updated_at = now()
 WHERE id = (SELECT b.id FROM bookings b JOIN lessons l ON l.id = b.lesson_id
              WHERE b.status = 'active' AND b.deleted_at IS NULL AND l.end_time < localtimestamp
              ORDER BY l.end_time LIMIT 1);
"

log "started (every ${INTERVAL}s; a booking without a room every ${MISS_EVERY} rounds)"
round=0
while true; do
    if [[ -n "$PARENT" ]] && ! kill -0 "$PARENT" 2>/dev/null; then
        log "parent $PARENT is gone: stopping"
        exit 0
    fi
    round=$((round + 1))
    output="$(run_sql 0 <<<"$ROUND_SQL")"
    [[ -z "$output" ]] || log "round $round: ${output//$'\n'/ }"
    if ((MISS_EVERY > 0 && round % MISS_EVERY == 0)); then
        if output="$(run_sql 1 <<<"$MISS_SQL")" && [[ -z "$output" ]]; then
            log "round $round: activated a booking with the trigger disabled (left without a room)"
        else
            log "round $round: could not leave a booking without a room: ${output//$'\n'/ }"
        fi
    fi
    if ((round % 10 == 0)); then
        run_sql 0 <<<"$COMPLETE_SQL" >/dev/null || true
    fi
    sleep "$INTERVAL" &
    SLEEPER=$!
    wait "$SLEEPER" 2>/dev/null
    SLEEPER=""
done
