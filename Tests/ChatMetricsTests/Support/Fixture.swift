import Foundation

/// Fixed, readable UUIDs: the first group says what the row is, the last one which.
enum ID {
    static func teacher(_ number: Int) -> String { uuid(kind: 1, number) }
    static func student(_ number: Int) -> String { uuid(kind: 2, number) }
    static func lesson(_ number: Int) -> String { uuid(kind: 3, number) }
    static func booking(_ number: Int) -> String { uuid(kind: 4, number) }
    static func room(_ number: Int) -> String { uuid(kind: 5, number) }
    /// A user id no `users` row has.
    static let nobody = uuid(kind: 9, 9)

    private static func uuid(kind: Int, _ number: Int) -> String {
        String(format: "%08d-0000-0000-0000-%012d", kind, number)
    }
}

/// SQL expressions for `timestamp without time zone` columns, in UTC wall-clock time like the platform writes
/// them, relative to the transaction's `now()` (so offsets within one scenario are exact).
enum At {
    static let now = "(now() AT TIME ZONE 'UTC')"

    /// `interval` before now, for example `ago("2 hours")`.
    static func ago(_ interval: String) -> String {
        "(now() AT TIME ZONE 'UTC' - interval '\(interval)')"
    }

    /// `interval` after now.
    static func fromNow(_ interval: String) -> String {
        "(now() AT TIME ZONE 'UTC' + interval '\(interval)')"
    }
}

/// INSERT statements for scenario rows. Soft-deleted rows get `deleted_at` one minute ago.
enum Fixture {
    static let deletedAt = At.ago("1 minute")

    /// A SQL string literal.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// Teachers 1...teachers and students 1...students.
    static func users(teachers: Int, students: Int) -> String {
        let rows = (0..<teachers).map { "('\(ID.teacher($0 + 1))', 'teacher\($0 + 1)@example.test', 'teacher')" }
            + (0..<students).map { "('\(ID.student($0 + 1))', 'student\($0 + 1)@example.test', 'student')" }
        return "INSERT INTO users (id, email, role) VALUES \(rows.joined(separator: ", "));\n"
    }

    /// A lesson of `teacher` (a teacher number) ending at `ends` (nil: no end time).
    static func lesson(_ number: Int, teacher: Int, ends: String?, deleted: Bool = false) -> String {
        let end = ends ?? "NULL"
        let start = ends.map { "\($0) - interval '1 hour'" } ?? "NULL"
        return """
            INSERT INTO lessons (id, teacher_id, start_time, end_time, deleted_at)
            VALUES ('\(ID.lesson(number))', '\(ID.teacher(teacher))', \(start), \(end), \(deleted ? deletedAt : "NULL"));

            """
    }

    /// A booking of lesson `lesson` by `student` (a user id). `status` nil is SQL NULL.
    /// A booking; `updated` nil leaves updated_at to the column's default (now()).
    static func booking(
        _ number: Int, lesson: Int, student: String, status: String?, created: String = At.now, updated: String? = nil,
        deleted: Bool = false
    ) -> String {
        """
        INSERT INTO bookings (id, lesson_id, student_id, status, created_at, updated_at, deleted_at)
        VALUES ('\(ID.booking(number))', '\(ID.lesson(lesson))', '\(student)', \(status.map(literal) ?? "NULL"), \(created), \(updated ?? "DEFAULT"), \(deleted ? deletedAt : "NULL"));

        """
    }

    /// A room inserted directly (not by the trigger).
    static func room(_ number: Int, teacher: String, student: String, created: String, deleted: Bool = false) -> String {
        """
        INSERT INTO chat_rooms (id, teacher_id, student_id, created_at, updated_at, deleted_at)
        VALUES ('\(ID.room(number))', '\(teacher)', '\(student)', \(created), \(created), \(deleted ? deletedAt : "NULL"));

        """
    }

    /// A message in room `room` (a room number).
    static func message(room: Int, sender: String, status: String, created: String, deleted: Bool = false) -> String {
        """
        INSERT INTO messages (chat_room_id, sender_id, message_text, status, created_at, deleted_at)
        VALUES ('\(ID.room(room))', '\(sender)', 'hello', \(literal(status)), \(created), \(deleted ? deletedAt : "NULL"));

        """
    }

    /// `count` audit_logs rows of `action` with `status` (nil: NULL) at `created`.
    static func audit(_ action: String, _ status: String?, at created: String, count: Int = 1) -> String {
        """
        INSERT INTO audit_logs (action, resource, status, created_at, updated_at)
        SELECT \(literal(action)), 'chat', \(status.map(literal) ?? "NULL"), \(created), \(created) FROM generate_series(1, \(count));

        """
    }
}
