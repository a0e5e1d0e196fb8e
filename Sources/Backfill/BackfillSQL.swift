/// The SQL of `chat-exporter backfill`, one statement per constant (each runs in a transaction of its own).
///
/// The definitions are those of the default collectors (collectors/default.yml) and of migration 050's trigger:
///
/// - active booking: `status = 'active'`, the booking and its lesson both live (`deleted_at IS NULL`);
/// - pair: `(lessons.teacher_id, bookings.student_id)`, never a teacher with themselves;
/// - missing: the pair has no room at all, the `missing` reason of `chat_bookings_without_room`;
/// - blocked: the pair's only room is soft-deleted (`room_deleted`): the trigger's `ON CONFLICT DO NOTHING`
///   stops there, and so does the backfill unless asked to restore it.
///
/// Parameters are bound server-side as text (`$1`); a NULL limit means no limit.
public enum BackfillSQL {
    /// The active bookings with their pair `(l.teacher_id, b.student_id)`, never a teacher with themselves: the
    /// FROM and WHERE that census, missingPairs and createBatch start from.
    private static let activeBookingsOfPairs = """
        FROM bookings b
          JOIN lessons l ON l.id = b.lesson_id
         WHERE b.status = 'active'
           AND b.deleted_at IS NULL
           AND l.deleted_at IS NULL
           AND l.teacher_id <> b.student_id
        """

    /// Who we are, where, and whether the backfill can work here: a unique index on exactly
    /// `chat_rooms (teacher_id, student_id)`, valid, not partial and not deferrable (what `ON CONFLICT (teacher_id,
    /// student_id)` can infer as its arbiter), the column
    /// privileges it needs, and whether the server is a read-only standby.
    public static let preflight = """
        SELECT current_user::text AS role,
               pg_catalog.pg_is_in_recovery() AS in_recovery,
               to_regclass('chat_rooms') IS NOT NULL AND to_regclass('bookings') IS NOT NULL
                 AND to_regclass('lessons') IS NOT NULL AS schema_present,
               (SELECT count(*) > 0
                  FROM pg_catalog.pg_index i
                 WHERE i.indrelid = to_regclass('chat_rooms')
                   AND i.indisunique AND i.indisvalid AND i.indimmediate
                   AND i.indpred IS NULL AND i.indexprs IS NULL
                   AND i.indnkeyatts = 2
                   AND (SELECT array_agg(a.attname::text ORDER BY a.attname)
                          FROM pg_catalog.pg_attribute a
                         WHERE a.attrelid = i.indrelid
                           AND a.attnum = ANY (i.indkey[0:1]))
                       = ARRAY['student_id', 'teacher_id']) AS unique_present,
               CASE WHEN to_regclass('chat_rooms') IS NULL THEN false ELSE
                    has_column_privilege('chat_rooms', 'teacher_id', 'INSERT')
                AND has_column_privilege('chat_rooms', 'student_id', 'INSERT')
                AND has_column_privilege('chat_rooms', 'created_at', 'INSERT')
                AND has_column_privilege('chat_rooms', 'updated_at', 'INSERT') END AS can_insert,
               CASE WHEN to_regclass('chat_rooms') IS NULL THEN false ELSE
                    has_column_privilege('chat_rooms', 'deleted_at', 'UPDATE')
                AND has_column_privilege('chat_rooms', 'updated_at', 'UPDATE') END AS can_update
        """

    /// How many pairs are missing a room and how many are blocked by a soft-deleted one, right now.
    public static let census = """
        WITH pairs AS (
          SELECT DISTINCT l.teacher_id, b.student_id
            \(activeBookingsOfPairs)
        )
        SELECT
          count(*) FILTER (
            WHERE NOT EXISTS (SELECT 1 FROM chat_rooms r
                               WHERE r.teacher_id = p.teacher_id AND r.student_id = p.student_id)) AS missing,
          count(*) FILTER (
            WHERE EXISTS (SELECT 1 FROM chat_rooms r
                           WHERE r.teacher_id = p.teacher_id AND r.student_id = p.student_id
                             AND r.deleted_at IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM chat_rooms r
                               WHERE r.teacher_id = p.teacher_id AND r.student_id = p.student_id
                                 AND r.deleted_at IS NULL)) AS blocked
        FROM pairs p
        """

    /// Leaves out the pairs a run set aside (`$2`, `$3`: their teacher and student ids as text, in step; empty arrays
    /// for none): another transaction was writing their room when this run tried.
    private static let notSetAside = """
        AND (cardinality($2::text[]) = 0
              OR (l.teacher_id::text, b.student_id::text) NOT IN (SELECT * FROM unnest($2::text[], $3::text[])))
        """

    /// The missing pairs, in the order a run creates them (`$1`: at most this many; NULL for all; `$2`, `$3`: pairs
    /// set aside, see ``notSetAside``).
    public static let missingPairs = """
        SELECT l.teacher_id::text AS teacher_id,
               b.student_id::text AS student_id,
               count(*) AS active_bookings,
               min(b.created_at)::text AS oldest_booking_created_at
          \(activeBookingsOfPairs)
           AND NOT EXISTS (SELECT 1 FROM chat_rooms r
                            WHERE r.teacher_id = l.teacher_id AND r.student_id = b.student_id)
           \(notSetAside)
         GROUP BY l.teacher_id, b.student_id
         ORDER BY l.teacher_id, b.student_id
         LIMIT $1::bigint
        """

    /// The pairs blocked by a soft-deleted room (`$1`: at most this many; NULL for all).
    public static let blockedPairs = """
        SELECT r.teacher_id::text AS teacher_id,
               r.student_id::text AS student_id,
               r.id::text AS room_id,
               r.deleted_at::text AS deleted_at,
               count(*) AS active_bookings
          FROM chat_rooms r
          JOIN lessons l ON l.teacher_id = r.teacher_id
          JOIN bookings b ON b.lesson_id = l.id AND b.student_id = r.student_id
         WHERE r.deleted_at IS NOT NULL
           AND r.teacher_id <> r.student_id
           AND b.status = 'active'
           AND b.deleted_at IS NULL
           AND l.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM chat_rooms live
                            WHERE live.teacher_id = r.teacher_id AND live.student_id = r.student_id
                              AND live.deleted_at IS NULL)
         GROUP BY r.teacher_id, r.student_id, r.id, r.deleted_at
         ORDER BY r.teacher_id, r.student_id
         LIMIT $1::bigint
        """

    /// One batch of creations (`$1`: the batch size), exactly as the trigger inserts: `ON CONFLICT DO NOTHING`, so a
    /// room the trigger or another backfill made in the meantime is skipped, never duplicated and never an error.
    /// Rows come back for every candidate pair: `room_id` is the new room's id, NULL when the conflict skipped it.
    /// Candidates are taken in (teacher_id, student_id) order, so concurrent backfills lock keys in the same order;
    /// `$2`, `$3` are the pairs set aside (``notSetAside``).
    public static let createBatch = """
        WITH candidates AS (
          SELECT DISTINCT l.teacher_id, b.student_id
            \(activeBookingsOfPairs)
             AND NOT EXISTS (SELECT 1 FROM chat_rooms r
                              WHERE r.teacher_id = l.teacher_id AND r.student_id = b.student_id)
             \(notSetAside)
           ORDER BY l.teacher_id, b.student_id
           LIMIT $1::bigint
        ), inserted AS (
          INSERT INTO chat_rooms (teacher_id, student_id, created_at, updated_at)
          SELECT c.teacher_id, c.student_id, now(), now()
            FROM candidates c
           ORDER BY c.teacher_id, c.student_id
          ON CONFLICT (teacher_id, student_id) DO NOTHING
          RETURNING id, teacher_id, student_id
        )
        SELECT c.teacher_id::text AS teacher_id,
               c.student_id::text AS student_id,
               i.id::text AS room_id
          FROM candidates c
          LEFT JOIN inserted i ON i.teacher_id = c.teacher_id AND i.student_id = c.student_id
         ORDER BY c.teacher_id, c.student_id
        """

    /// The room of one pair (`$1` teacher id, `$2` student id, typed by the server from the columns), while it still
    /// has an active booking, as ``createBatch`` makes it: one row when the pair is still a candidate, `room_id` NULL
    /// when its room appeared meanwhile; no row when it has no active booking any more. A run that took a batch
    /// apart inserts pair by pair with this: a transaction of one row holds nothing while it waits, so it can never
    /// be one end of a deadlock.
    public static let createPair = """
        WITH candidate AS (
          SELECT l.teacher_id, b.student_id
            \(activeBookingsOfPairs)
             AND l.teacher_id = $1
             AND b.student_id = $2
           LIMIT 1
        ), inserted AS (
          INSERT INTO chat_rooms (teacher_id, student_id, created_at, updated_at)
          SELECT c.teacher_id, c.student_id, now(), now()
            FROM candidate c
          ON CONFLICT (teacher_id, student_id) DO NOTHING
          RETURNING id
        )
        SELECT c.teacher_id::text AS teacher_id,
               c.student_id::text AS student_id,
               (SELECT i.id::text FROM inserted i) AS room_id
          FROM candidate c
        """

    /// One batch of restorations (`$1`: the batch size): undeletes the soft-deleted rooms of pairs that still have an
    /// active booking and no live room. `room_id` comes back for every candidate; `restored` is false when another
    /// backfill restored (or something deleted) it in the meantime: the update re-checks `deleted_at IS NOT NULL`.
    public static let restoreBatch = """
        WITH candidates AS (
          SELECT r.id, r.teacher_id, r.student_id
            FROM chat_rooms r
           WHERE r.deleted_at IS NOT NULL
             AND r.teacher_id <> r.student_id
             AND EXISTS (SELECT 1
                           FROM bookings b
                           JOIN lessons l ON l.id = b.lesson_id
                          WHERE b.status = 'active'
                            AND b.deleted_at IS NULL
                            AND l.deleted_at IS NULL
                            AND l.teacher_id = r.teacher_id
                            AND b.student_id = r.student_id)
             AND NOT EXISTS (SELECT 1 FROM chat_rooms live
                              WHERE live.teacher_id = r.teacher_id AND live.student_id = r.student_id
                                AND live.deleted_at IS NULL)
           ORDER BY r.teacher_id, r.student_id
           LIMIT $1::bigint
        ), restored AS (
          UPDATE chat_rooms r
             SET deleted_at = NULL, updated_at = now()
            FROM candidates c
           WHERE r.id = c.id
             AND r.deleted_at IS NOT NULL
          RETURNING r.id
        )
        SELECT c.teacher_id::text AS teacher_id,
               c.student_id::text AS student_id,
               c.id::text AS room_id,
               (x.id IS NOT NULL) AS restored
          FROM candidates c
          LEFT JOIN restored x ON x.id = c.id
         ORDER BY c.teacher_id, c.student_id
        """
}
