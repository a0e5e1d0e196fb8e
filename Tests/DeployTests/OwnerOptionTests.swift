import Foundation
import Testing
import TestSupport

/// bench/options.py: what the platform's bookings.teacher_id (bench/owner-options/bookings-teacher-id.sql) would buy
/// the collectors. Its figures are only worth something while the option's SQL (bench/owner-options/teacher-id.yml)
/// answers exactly what the default collectors answer, so this runs it on a small bench load with the cases that
/// tell them apart (an active booking of a soft-deleted lesson, a soft-deleted room, a late room, a teacher booking
/// their own lesson) and checks the script's own comparison; and that the migration's triggers keep the column
/// right as the platform writes.
@Suite(.serialized)
struct OwnerOptionTests {
    private static let root = PackageLayout.root

    /// Rows inserted with the chat-creation triggers off, so that the pairs keep the rooms they are given.
    private static let edgeCases = """
        ALTER TABLE bookings DISABLE TRIGGER USER;
        INSERT INTO users (id, role) VALUES
          ('00000000-0000-0000-0000-0000000000a1', 'teacher'), ('00000000-0000-0000-0000-0000000000a2', 'student'),
          ('00000000-0000-0000-0000-0000000000a3', 'student'), ('00000000-0000-0000-0000-0000000000a4', 'student'),
          ('00000000-0000-0000-0000-0000000000a5', 'teacher');
        INSERT INTO lessons (id, teacher_id, start_time, end_time, deleted_at) VALUES
          ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day', now() + interval '25 hours', NULL),
          ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a1', now() + interval '2 days', now() + interval '49 hours', now()),
          ('00000000-0000-0000-0000-0000000000b3', '00000000-0000-0000-0000-0000000000a1', now() + interval '3 days', now() + interval '73 hours', NULL),
          ('00000000-0000-0000-0000-0000000000b4', '00000000-0000-0000-0000-0000000000a5', now() - interval '3 hours', now() - interval '2 hours', NULL),
          ('00000000-0000-0000-0000-0000000000b5', '00000000-0000-0000-0000-0000000000a5', now() + interval '1 day', now() + interval '25 hours', NULL);
        -- No room for a1-a2: one booking of a live lesson (3 days old), one of a soft-deleted lesson (older).
        INSERT INTO bookings (lesson_id, student_id, status, created_at, updated_at) VALUES
          ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a2', 'active', now() - interval '3 days', now() - interval '3 days'),
          ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a2', 'active', now() - interval '400 days', now() - interval '400 days'),
        -- a1-a3's room is soft-deleted.
          ('00000000-0000-0000-0000-0000000000b3', '00000000-0000-0000-0000-0000000000a3', 'active', now() - interval '500 days', now() - interval '500 days'),
        -- a5-a4's room came two hours after their lesson ended: late and slow.
          ('00000000-0000-0000-0000-0000000000b4', '00000000-0000-0000-0000-0000000000a4', 'completed', now() - interval '1 day', now() - interval '1 day'),
        -- a5 booked their own lesson.
          ('00000000-0000-0000-0000-0000000000b5', '00000000-0000-0000-0000-0000000000a5', 'active', now() - interval '600 days', now() - interval '600 days');
        INSERT INTO chat_rooms (teacher_id, student_id, created_at, deleted_at) VALUES
          ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000a3', now() - interval '30 days', now() - interval '1 day'),
          ('00000000-0000-0000-0000-0000000000a5', '00000000-0000-0000-0000-0000000000a4', now(), NULL);
        ALTER TABLE bookings ENABLE TRIGGER USER;
        """

    @Test(.timeLimit(.minutes(5)))
    func theOptionsSQLAnswersAsTheDefaultCollectorsDo() throws {
        let server = try TestPostgres.shared()
        let database = try server.createDatabase()
        defer {
            database.drop()
            _ = try? server.psql("DROP DATABASE IF EXISTS \(database.name)_teacher_id WITH (FORCE)")
        }
        var environment = ["PATH": (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/bin:/usr/bin:/bin",
                           "LANG": "C.UTF-8", "PGHOST": server.host, "PGPORT": String(server.port),
                           "PGUSER": server.superuser, "PGPASSWORD": server.password]
        if let home = ProcessInfo.processInfo.environment["HOME"] { environment["HOME"] = home }
        let load = try runProcess("/bin/bash", [Self.root + "/bench/load.sh", database.name, "0.002"], environment: environment, timeout: .seconds(120))
        #expect(load.status == 0, "bench/load.sh: \(load.stderr)")
        try database.execute(Self.edgeCases)

        let result = try runProcess("/usr/bin/env", ["python3", Self.root + "/bench/options.py", database.name, "--runs", "1", "--keep"],
                                    environment: environment, timeout: .seconds(180))
        #expect(result.status == 0, "bench/options.py exited \(result.status):\n\(result.stdout)\(result.stderr)")
        let rows = Dictionary(uniqueKeysWithValues: result.stdout.split(separator: "\n").compactMap { line -> (String, [String])? in
            let parts = line.split(separator: ": ", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "same row" else { return nil }
            return (parts[1], parts[2].split(separator: "|", omittingEmptySubsequences: false).map(String.init))
        })
        // The comparison saw each case: bookings without a room for both reasons, and a slow room in 24 h.
        let backlog = try #require(rows["chat_bookings_without_room"], "no comparison of the backlog in:\n\(result.stdout)")
        #expect(backlog.count == 5 && (Int(backlog[1]) ?? 0) >= 1 && (Int(backlog[2]) ?? 0) >= 1, "\(backlog)")
        let lag = try #require(rows["chat_room_lag"], "no comparison of the lag in:\n\(result.stdout)")
        #expect(lag.count == 8 && (Int(lag[3]) ?? 0) >= 1, "no slow room in 24 h: \(lag)")
        #expect(result.stdout.contains("per full cycle"))

        // The migration's triggers: a new booking takes its lesson's teacher; a lesson changing teacher takes its
        // bookings along.
        let copy = database.name + "_teacher_id"
        _ = try server.psql("""
            INSERT INTO bookings (lesson_id, student_id, status)
              VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a4', 'completed');
            UPDATE lessons SET teacher_id = '00000000-0000-0000-0000-0000000000a5' WHERE id = '00000000-0000-0000-0000-0000000000b3';
            """, database: copy)
        #expect(try server.psql("SELECT count(*) FROM bookings b JOIN lessons l ON l.id = b.lesson_id WHERE b.teacher_id IS DISTINCT FROM l.teacher_id",
                                database: copy) == "0")
        #expect(try server.psql("SELECT teacher_id FROM bookings WHERE lesson_id = '00000000-0000-0000-0000-0000000000b3'",
                                database: copy) == "00000000-0000-0000-0000-0000000000a5")
    }
}
