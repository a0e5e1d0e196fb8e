import Backfill
import Foundation
import PostgresClient
import TestSupport
import Testing

/// Fixed ids: teachers `…a1`, students `…b1`, lessons `…c1`, rooms `…d1`.
enum ID {
    static func teacher(_ n: Int) -> String { "00000000-0000-0000-0000-0000000000a\(n)" }
    static func student(_ n: Int) -> String { "00000000-0000-0000-0000-0000000000b\(n)" }
    static func lesson(_ n: Int) -> String { "00000000-0000-0000-0000-0000000000c\(n)" }
    static func room(_ n: Int) -> String { "00000000-0000-0000-0000-0000000000d\(n)" }
}

/// A pair as the tests compare them.
struct Pair: Hashable, CustomStringConvertible {
    let teacher: String
    let student: String
    init(_ teacher: String, _ student: String) {
        self.teacher = teacher
        self.student = student
    }
    var description: String { "(\(teacher), \(student))" }
}

/// The platform in every state the backfill must tell apart.
///
/// - missing (the backfill creates them): (T1, S1) with two active bookings, (T1, S2), (T2, S3);
/// - a live room already: (T2, S1);
/// - blocked by a soft-deleted room `…d1`: (T3, S4);
/// - a soft-deleted room whose pair has no active booking any more `…d2`: (T3, S5) — never restored;
/// - excluded: T3 booked on their own lesson (teacher = student), a soft-deleted booking (T1, S5), an active booking
///   on a soft-deleted lesson (T2 lesson c4, S6), a completed and a cancelled booking (T3, S6).
enum Fixture {
    static let missing: Set<Pair> = [
        Pair(ID.teacher(1), ID.student(1)), Pair(ID.teacher(1), ID.student(2)), Pair(ID.teacher(2), ID.student(3)),
    ]
    static let live = Pair(ID.teacher(2), ID.student(1))
    static let blocked = Pair(ID.teacher(3), ID.student(4))
    static let deletedWithoutBooking = Pair(ID.teacher(3), ID.student(5))

    static func make(on server: PostgresServer? = nil) throws -> TestDatabase {
        let database = try (server ?? TestPostgres.shared()).createDatabase()
        try database.execute("""
            INSERT INTO users (id, email, role) VALUES
              ('\(ID.teacher(1))', 't1@example.com', 'teacher'), ('\(ID.teacher(2))', 't2@example.com', 'teacher'),
              ('\(ID.teacher(3))', 't3@example.com', 'teacher'),
              ('\(ID.student(1))', 's1@example.com', 'student'), ('\(ID.student(2))', 's2@example.com', 'student'),
              ('\(ID.student(3))', 's3@example.com', 'student'), ('\(ID.student(4))', 's4@example.com', 'student'),
              ('\(ID.student(5))', 's5@example.com', 'student'), ('\(ID.student(6))', 's6@example.com', 'student');
            INSERT INTO lessons (id, teacher_id, start_time, end_time, deleted_at) VALUES
              ('\(ID.lesson(1))', '\(ID.teacher(1))', now() - interval '2 hours', now() - interval '1 hour', NULL),
              ('\(ID.lesson(2))', '\(ID.teacher(2))', now() + interval '1 day', now() + interval '1 day 1 hour', NULL),
              ('\(ID.lesson(3))', '\(ID.teacher(3))', now() + interval '2 days', NULL, NULL),
              ('\(ID.lesson(4))', '\(ID.teacher(2))', now() - interval '3 days', now() - interval '3 days' + interval '1 hour', now() - interval '1 day');
            -- The room of (T2, S1) comes from the trigger, as in production.
            INSERT INTO bookings (lesson_id, student_id, status) VALUES ('\(ID.lesson(2))', '\(ID.student(1))', 'active');
            INSERT INTO chat_rooms (id, teacher_id, student_id, created_at, updated_at, deleted_at) VALUES
              ('\(ID.room(1))', '\(ID.teacher(3))', '\(ID.student(4))', now() - interval '10 days', now() - interval '5 days', now() - interval '5 days'),
              ('\(ID.room(2))', '\(ID.teacher(3))', '\(ID.student(5))', now() - interval '10 days', now() - interval '5 days', now() - interval '5 days');

            ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;
            INSERT INTO bookings (lesson_id, student_id, status, created_at, deleted_at) VALUES
              ('\(ID.lesson(1))', '\(ID.student(1))', 'active', now() - interval '3 hours', NULL),
              ('\(ID.lesson(1))', '\(ID.student(1))', 'active', now() - interval '2 hours', NULL),
              ('\(ID.lesson(1))', '\(ID.student(2))', 'active', now() - interval '2 hours', NULL),
              ('\(ID.lesson(2))', '\(ID.student(3))', 'active', now() - interval '1 hour', NULL),
              ('\(ID.lesson(3))', '\(ID.student(4))', 'active', now() - interval '1 hour', NULL),
              ('\(ID.lesson(3))', '\(ID.teacher(3))', 'active', now() - interval '1 hour', NULL),
              ('\(ID.lesson(1))', '\(ID.student(5))', 'active', now() - interval '1 hour', now() - interval '30 minutes'),
              ('\(ID.lesson(4))', '\(ID.student(6))', 'active', now() - interval '3 days', NULL),
              ('\(ID.lesson(3))', '\(ID.student(6))', 'completed', now() - interval '1 hour', NULL),
              ('\(ID.lesson(3))', '\(ID.student(6))', 'cancelled', now() - interval '1 hour', NULL);
            ALTER TABLE bookings ENABLE TRIGGER booking_create_chat;
            """)
        return database
    }

    /// Every room as (teacher, student, live?), for before/after comparisons.
    static func rooms(_ database: TestDatabase) throws -> [[String]] {
        try database.rows("SELECT id, teacher_id, student_id, created_at, updated_at, deleted_at FROM chat_rooms ORDER BY id")
    }

    /// The pairs that have a live room.
    static func livePairs(_ database: TestDatabase) throws -> Set<Pair> {
        Set(try database.rows("SELECT teacher_id, student_id FROM chat_rooms WHERE deleted_at IS NULL").map { Pair($0[0], $0[1]) })
    }

    /// No pair has two rooms (also true with the unique constraint dropped, which some tests do).
    static func duplicatePairs(_ database: TestDatabase) throws -> Int {
        Int(try database.scalar("SELECT count(*) FROM (SELECT 1 FROM chat_rooms GROUP BY teacher_id, student_id HAVING count(*) > 1) d")) ?? -1
    }

    /// A read-write (or, for dry runs, read-only) pool on the database, as the superuser.
    static func pool(_ database: TestDatabase, readOnly: Bool = false, maxConnections: Int = 1, lockTimeout: Duration = .seconds(5)) -> ConnectionPool {
        let settings = ConnectionSettings(keywords: [
            ("host", database.server.host), ("port", String(database.server.port)), ("dbname", database.name),
            ("user", database.server.superuser), ("password", database.server.password),
        ])
        var session = SessionSettings()
        session.readOnly = readOnly
        session.applicationName = "backfill-tests"
        session.lockTimeout = lockTimeout
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = maxConnections
        return ConnectionPool(settings: settings, session: session, configuration: configuration)
    }

    /// Runs a backfill in-process on a pool of its own and closes the pool.
    static func run(_ database: TestDatabase, _ configure: (inout BackfillOptions) -> Void = { _ in }) async throws -> BackfillSummary {
        var options = BackfillOptions()
        configure(&options)
        let pool = pool(database, readOnly: options.dryRun)
        do {
            let summary = try await Backfill(pool: pool, options: options).run()
            await pool.shutdown()
            return summary
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    /// The binary's `backfill` against the database as the superuser (or another DSN).
    static func runBinary(_ database: TestDatabase, _ arguments: [String], dsn: String? = nil, timeout: Duration = .seconds(120)) throws -> ProcessResult {
        let environment = [
            "DATA_SOURCE_NAME": dsn ?? database.keyValueDSN,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        return try runProcess(Binary.chatExporter, ["backfill"] + arguments, environment: environment, timeout: timeout)
    }

    /// Applies deploy/sql/role.sql with both passwords (twice: it is idempotent). Roles belong to the whole cluster:
    /// a suite that sets their passwords needs a cluster of its own.
    static func applyRoles(_ database: TestDatabase, exporter: String, backfill: String) throws {
        for _ in 0..<2 {
            let result = try runProcess("psql", [
                "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", database.server.host, "-p", "\(database.server.port)",
                "-U", database.server.superuser, "-d", database.name,
                "-v", "exporter_password=\(exporter)", "-v", "backfill_password=\(backfill)",
                "-f", PackageLayout.path("deploy/sql/role.sql"),
            ], environment: ["PGPASSWORD": database.server.password, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
            #expect(result.status == 0, "role.sql: \(result.stderr)")
        }
    }

    static func dsn(_ database: TestDatabase, user: String, password: String) -> String {
        "host=\(database.server.host) port=\(database.server.port) dbname=\(database.name) user=\(user) password=\(password)"
    }

    /// Decodes the `--output json` summary.
    static func decode(_ result: ProcessResult) throws -> BackfillSummary {
        do {
            return try JSONDecoder().decode(BackfillSummary.self, from: Data(result.stdout.utf8))
        } catch {
            throw TestSupportError("not a backfill summary (status \(result.status)): \(error)\nstdout: \(result.stdout)\nstderr: \(result.stderr)")
        }
    }
}

extension Fixture {
    /// Inserts the room of (`teacher`, `student`) in a transaction of another session (application_name
    /// `backfill-holder`) and keeps it uncommitted while `waiting` runs: the body of a PL/pgSQL block, with
    /// `deadline` (a timestamptz 90 seconds ahead) declared for its loops. Then commits. A backfill inserting the
    /// same pair meanwhile waits for it. Returns once the row is written; the task ends when the holder commits.
    static func holdRoom(_ database: TestDatabase, teacher: String, student: String, while waiting: String) async throws -> Task<Void, any Error> {
        let holder = Task {
            try await onThread { () throws -> Void in
                try database.execute("""
                    SET application_name = 'backfill-holder';
                    BEGIN;
                    INSERT INTO chat_rooms (teacher_id, student_id) VALUES ('\(teacher)', '\(student)');
                    DO $$
                    DECLARE deadline timestamptz := clock_timestamp() + interval '90 seconds';
                    BEGIN
                    \(waiting)
                    END $$;
                    COMMIT;
                    """)
            }
        }
        // The holder's transaction has written the row once it has a transaction id.
        try await waitUntil(timeout: .seconds(30), "the holder's insert is in place") { () async throws -> Bool in
            try database.scalar("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = 'backfill-holder' AND backend_xid IS NOT NULL
                """) == "1"
        }
        return holder
    }
}

/// Runs blocking work (a child process) on a thread of its own, off Swift's cooperative pool.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try work() })
        }
    }
}
