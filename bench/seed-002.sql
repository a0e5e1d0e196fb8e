-- The hand-run monitoring SQL of seed 002 ("Production Chat System Guide"), verbatim but for the
-- formatting: the baseline chat-exporter's default collectors are compared with. bench/bench.py runs each
-- statement (split on the "-- name:" lines) the way it runs a collector.

-- name: chats_today
-- seed: "Метрики для мониторинга" 1, chats created today
SELECT COUNT(*) as chats_created_today
FROM chat_rooms
WHERE created_at >= CURRENT_DATE
  AND deleted_at IS NULL;

-- name: avg_max_lag
-- seed: "Метрики для мониторинга" 2, average and maximum lag between the lesson's end_time and the room
SELECT
    AVG(EXTRACT(EPOCH FROM (cr.created_at - l.end_time))) as avg_lag_seconds,
    MAX(EXTRACT(EPOCH FROM (cr.created_at - l.end_time))) as max_lag_seconds
FROM chat_rooms cr
INNER JOIN lessons l ON cr.teacher_id = l.teacher_id
WHERE cr.created_at >= CURRENT_DATE - INTERVAL '7 days'
  AND l.end_time < cr.created_at;

-- name: slow_creations
-- seed: "Метрики для мониторинга" 3, lags over an hour
SELECT COUNT(*) as slow_creations
FROM chat_rooms cr
INNER JOIN lessons l ON cr.teacher_id = l.teacher_id
WHERE cr.created_at >= CURRENT_DATE - INTERVAL '7 days'
  AND EXTRACT(EPOCH FROM (cr.created_at - l.end_time)) > 3600;

-- name: duplicates
-- seed: "Проблема: Дублирующиеся чаты"
SELECT
    teacher_id,
    student_id,
    COUNT(*) as count
FROM chat_rooms
WHERE deleted_at IS NULL
GROUP BY teacher_id, student_id
HAVING COUNT(*) > 1;

-- name: bookings_without_chats
-- seed: "Проблема: Чаты не создаются" 4, active bookings without chats
SELECT COUNT(DISTINCT b.id) as bookings_without_chats
FROM bookings b
INNER JOIN lessons l ON b.lesson_id = l.id
LEFT JOIN chat_rooms cr ON cr.teacher_id = l.teacher_id
    AND cr.student_id = b.student_id
WHERE b.status = 'active'
  AND l.deleted_at IS NULL
  AND b.deleted_at IS NULL
  AND cr.id IS NULL;

-- name: statistics
-- seed: "Проверка на Production" 3, the statistics of lessons, bookings and rooms
SELECT
    'Total lessons' as metric,
    COUNT(*) as count
FROM lessons
WHERE deleted_at IS NULL
UNION ALL
SELECT
    'Completed lessons (end_time < NOW)',
    COUNT(*)
FROM lessons
WHERE end_time < CURRENT_TIMESTAMP
  AND deleted_at IS NULL
UNION ALL
SELECT
    'Active bookings',
    COUNT(*)
FROM bookings
WHERE status = 'active'
  AND deleted_at IS NULL
UNION ALL
SELECT
    'Chat rooms created',
    COUNT(*)
FROM chat_rooms
WHERE deleted_at IS NULL
UNION ALL
SELECT
    'Chat rooms with messages',
    COUNT(DISTINCT cr.id)
FROM chat_rooms cr
INNER JOIN messages m ON m.chat_room_id = cr.id
WHERE cr.deleted_at IS NULL
  AND m.deleted_at IS NULL;
