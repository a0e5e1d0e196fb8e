import TestSupport

/// A small, healthy platform: two teachers, three students, an upcoming lesson with an active booking (its
/// room created by the trigger), a completed lesson whose room predates it, a cancelled booking of an
/// upcoming lesson of another pair (the one the end-to-end test activates), messages (one pending
/// moderation for a minute) and audit_logs rows of chat.message.send in the last 5 minutes.
enum SeedData {
    static let teacher1 = "00000000-0000-0000-0000-000000000001"
    static let teacher2 = "00000000-0000-0000-0000-000000000002"
    static let student1 = "00000000-0000-0000-0000-000000000011"
    static let student2 = "00000000-0000-0000-0000-000000000012"
    static let student3 = "00000000-0000-0000-0000-000000000013"
    static let activeBooking = "00000000-0000-0000-0000-000000000201"
    /// Cancelled, created an hour ago, for teacher2 and student3 (who have no room).
    static let cancelledBooking = "00000000-0000-0000-0000-000000000203"
    static let upcomingLesson = "00000000-0000-0000-0000-000000000101"

    /// The rows; `auditFailures` audit rows with status 'failure' besides six successes.
    static func sql(auditFailures: Int = 0) -> String {
        """
        INSERT INTO users (id, email, role) VALUES
          ('\(teacher1)', 'teacher1@example.com', 'teacher'),
          ('\(teacher2)', 'teacher2@example.com', 'teacher'),
          ('\(student1)', 'student1@example.com', 'student'),
          ('\(student2)', 'student2@example.com', 'student'),
          ('\(student3)', 'student3@example.com', 'student');
        INSERT INTO lessons (id, teacher_id, student_id, start_time, end_time) VALUES
          ('\(upcomingLesson)', '\(teacher1)', '\(student1)', now() + interval '1 day', now() + interval '25 hours'),
          ('00000000-0000-0000-0000-000000000102', '\(teacher1)', '\(student2)', now() - interval '2 days', now() - interval '47 hours'),
          ('00000000-0000-0000-0000-000000000103', '\(teacher2)', '\(student3)', now() + interval '2 days', now() + interval '49 hours');
        INSERT INTO chat_rooms (teacher_id, student_id, created_at) VALUES
          ('\(teacher1)', '\(student2)', now() - interval '3 days');
        INSERT INTO bookings (id, lesson_id, student_id, status, created_at) VALUES
          ('\(activeBooking)', '\(upcomingLesson)', '\(student1)', 'active', now() - interval '1 hour'),
          ('00000000-0000-0000-0000-000000000202', '00000000-0000-0000-0000-000000000102', '\(student2)', 'completed', now() - interval '3 days'),
          ('\(cancelledBooking)', '00000000-0000-0000-0000-000000000103', '\(student3)', 'cancelled', now() - interval '1 hour');
        INSERT INTO messages (chat_room_id, sender_id, message_text, status, moderation_completed_at, created_at)
          SELECT r.id, r.teacher_id, 'Hello', 'delivered', now() - interval '9 minutes', now() - interval '10 minutes'
            FROM chat_rooms r WHERE r.student_id = '\(student1)';
        INSERT INTO messages (chat_room_id, sender_id, message_text, status, created_at)
          SELECT r.id, r.student_id, 'Hi', 'pending_moderation', now() - interval '1 minute'
            FROM chat_rooms r WHERE r.student_id = '\(student1)';
        INSERT INTO audit_logs (user_id, action, resource, status, created_at)
          SELECT '\(student1)', 'chat.message.send', 'message', 'success', now() - n * interval '30 seconds'
            FROM generate_series(1, 6) AS n;
        INSERT INTO audit_logs (user_id, action, resource, status, created_at)
          SELECT '\(student1)', 'chat.message.send', 'message', 'failure', now() - n * interval '20 seconds'
            FROM generate_series(1, \(auditFailures)) AS n;
        """
    }

    /// A fresh test database holding the rows.
    static func database(auditFailures: Int = 0) throws -> TestDatabase {
        let database = try TestPostgres.shared().createDatabase()
        do {
            try database.execute(sql(auditFailures: auditFailures))
        } catch {
            database.drop()
            throw error
        }
        return database
    }
}
