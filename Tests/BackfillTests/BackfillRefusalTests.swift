import Backfill
import Foundation
import Synchronization
import Testing
import TestSupport

/// When the backfill must not run: the wrong role, no unique constraint, no database, bad options — all exit 2.
@Suite(.serialized)
struct BackfillRefusalTests {
    /// Roles and their passwords belong to the whole cluster, and other tests (DeploySQLTests) set chat_exporter's
    /// password too: the role tests get a cluster of their own, started once, removed when the process exits.
    private static let roleCluster = Mutex<Result<PostgresServer, any Error>?>(nil)

    private func privateServer() throws -> PostgresServer {
        try Self.roleCluster.withLock { state in
            if let state { return try state.get() }
            let result = Result { try TestPostgres.makePrivateCluster() }
            state = result
            return try result.get()
        }
    }

    @Test func theExporterRoleMayNotRunItAndTheBackfillRoleMay() throws {
        let database = try Fixture.make(on: try privateServer())
        defer { database.drop() }
        let exporterPassword = "exp-\(UUID().uuidString)"
        let backfillPassword = "bf-\(UUID().uuidString)"
        try Fixture.applyRoles(database, exporter: exporterPassword, backfill: backfillPassword)
        let before = try Fixture.rooms(database)

        let asExporter = try Fixture.runBinary(database, [], dsn: Fixture.dsn(database, user: "chat_exporter", password: exporterPassword))
        #expect(asExporter.status == 2)
        #expect(asExporter.stderr.contains("the role chat_exporter may not write chat_rooms: use the backfill role from deploy/sql/role.sql"))
        #expect(!asExporter.stderr.contains(exporterPassword))
        #expect(try Fixture.rooms(database) == before)

        // Also with --restore-deleted.
        let restoring = try Fixture.runBinary(database, ["--restore-deleted"], dsn: Fixture.dsn(database, user: "chat_exporter", password: exporterPassword))
        #expect(restoring.status == 2)
        #expect(restoring.stderr.contains("may not write chat_rooms"))

        // A dry run only reads: the exporter role may, is told a real run needs the other role, and exits as that
        // run would (2), after listing.
        let dry = try Fixture.runBinary(database, ["--dry-run"], dsn: Fixture.dsn(database, user: "chat_exporter", password: exporterPassword))
        #expect(dry.status == 2, "\(dry.stderr)")
        #expect(dry.stdout.contains("Note: the role chat_exporter may not write chat_rooms"))
        #expect(dry.stdout.contains("Would create 3 rooms"), "\(dry.stdout)")

        // The scheduled role creates rooms; undeleting one is a by-hand decision for the platform's owner.
        let restoringAsBackfill = try Fixture.runBinary(database, ["--restore-deleted"], dsn: Fixture.dsn(database, user: "chat_backfill", password: backfillPassword))
        #expect(restoringAsBackfill.status == 2)
        #expect(restoringAsBackfill.stderr.contains("the role chat_backfill may not undelete rooms"), "\(restoringAsBackfill.stderr)")
        #expect(restoringAsBackfill.stderr.contains("as the platform's owner role or an administrator"))
        #expect(try Fixture.rooms(database) == before)
        // Its dry run says so beforehand.
        let dryRestoringAsBackfill = try Fixture.runBinary(
            database, ["--dry-run", "--restore-deleted"], dsn: Fixture.dsn(database, user: "chat_backfill", password: backfillPassword))
        #expect(dryRestoringAsBackfill.stdout.contains("Note: the role chat_backfill may not undelete rooms"), "\(dryRestoringAsBackfill.stdout)")
        #expect(dryRestoringAsBackfill.status == 2)

        let asBackfill = try Fixture.runBinary(database, ["--allow-blocked", "--output", "json"], dsn: Fixture.dsn(database, user: "chat_backfill", password: backfillPassword))
        #expect(asBackfill.status == 0, "\(asBackfill.stderr)")
        let summary = try Fixture.decode(asBackfill)
        #expect(summary.role == "chat_backfill")
        #expect(summary.created == 3 && summary.restored == 0)
        #expect(try Fixture.livePairs(database) == Fixture.missing.union([Fixture.live]))
    }

    @Test func theBackfillRoleMayNotDoAnythingElse() throws {
        let database = try Fixture.make(on: try privateServer())
        defer { database.drop() }
        let backfillPassword = "bf-\(UUID().uuidString)"
        try Fixture.applyRoles(database, exporter: "exp-\(UUID().uuidString)", backfill: backfillPassword)
        let environment = ["PGPASSWORD": backfillPassword, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let base = ["-X", "-v", "ON_ERROR_STOP=1", "-h", database.server.host, "-p", "\(database.server.port)", "-U", "chat_backfill", "-d", database.name, "-c"]
        for statement in [
            "DELETE FROM chat_rooms",
            "UPDATE chat_rooms SET teacher_id = student_id",
            "UPDATE chat_rooms SET deleted_at = now()",  // its secret sits in the CronJob: it must not hide every chat
            "INSERT INTO chat_rooms (teacher_id, student_id, last_message_at) VALUES ('\(ID.teacher(1))', '\(ID.student(6))', now())",
            "UPDATE bookings SET status = 'active'",
            "SELECT email FROM users",
            "SELECT message_text FROM messages",
        ] {
            let result = try runProcess("psql", base + [statement], environment: environment)
            #expect(result.status != 0, "\(statement) must be refused")
            #expect(result.stderr.contains("permission denied"), "\(statement): \(result.stderr)")
        }
    }

    @Test func withoutTheUniqueConstraintItRefuses() throws {
        let database = try Fixture.make()
        defer { database.drop() }
        try database.execute("ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_teacher_id_student_id_key")
        let before = try Fixture.rooms(database)
        let result = try Fixture.runBinary(database, [])
        #expect(result.status == 2)
        #expect(result.stderr.contains("chat_rooms has no unique constraint on (teacher_id, student_id)"))
        #expect(result.stderr.contains("ON CONFLICT"))
        // The dry run still lists the backlog (what the incident's runbook needs to know) and says a run would refuse.
        let dryRun = try Fixture.runBinary(database, ["--dry-run"])
        #expect(dryRun.status == 2, "as the real run: \(dryRun.stderr)")
        #expect(dryRun.stdout.contains("Would create 3 rooms:"), "\(dryRun.stdout)")
        #expect(dryRun.stdout.contains("a real run refuses until it is restored"), "\(dryRun.stdout)")
        // A DEFERRABLE one cannot be ON CONFLICT's arbiter either: refused before any batch, not failed in one.
        try database.execute("ALTER TABLE chat_rooms ADD CONSTRAINT chat_rooms_pair_deferrable UNIQUE (teacher_id, student_id) DEFERRABLE")
        let deferrable = try Fixture.runBinary(database, [])
        #expect(deferrable.status == 2)
        #expect(deferrable.stderr.contains("chat_rooms has no unique constraint on (teacher_id, student_id)"), "\(deferrable.stderr)")
        try database.execute("ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_pair_deferrable")
        let json = try Fixture.runBinary(database, ["--output", "json"])
        #expect(json.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "missing_unique_constraint")
        #expect(object["interrupted"] is NSNull, "present and null, as in the summary")
        #expect(object["exit_code"] as? Int == 2)
        #expect(object["created"] as? Int == 0)
        #expect(try Fixture.rooms(database) == before)
    }

    @Test func aUniqueIndexServesAsWellAsAConstraint() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        try database.execute("""
            ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_teacher_id_student_id_key;
            CREATE UNIQUE INDEX chat_rooms_pair ON chat_rooms (student_id, teacher_id);
            """)
        let summary = try await Fixture.run(database)
        #expect(summary.created == 3)
    }

    @Test func noDatabaseOrBadOptionsExitTwo() throws {
        let unreachable = try runProcess(Binary.chatExporter, ["backfill", "--database.connect-timeout=2s"], environment: [
            "DATA_SOURCE_NAME": "host=127.0.0.1 port=\(freeTCPPort()) dbname=x user=x password=never-shown",
        ], timeout: .seconds(60))
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("cannot connect"))
        #expect(!(unreachable.stdout + unreachable.stderr).contains("never-shown"))

        let missingFile = try runProcess(Binary.chatExporter, ["backfill", "--database.password-file", "/nonexistent/password"], environment: [:])
        #expect(missingFile.status == 2)
        #expect(missingFile.stderr.contains("cannot read password file"))

        // Values that can never work are usage errors, exit 64, as for every command's flags.
        for arguments in [["--batch-size", "0"], ["--limit", "0"]] {
            let bad = try runProcess(Binary.chatExporter, ["backfill"] + arguments, environment: [:])
            #expect(bad.status == 64, "\(arguments)")
            #expect(bad.stderr.contains("must be at least 1"))
        }
        // 0 would be no timeout at all in PostgreSQL, and the server refuses more than 2^31 - 1 ms.
        for (timeout, milliseconds) in [("0s", "0ms"), ("30d", "2592000000ms")] {
            let bad = try runProcess(Binary.chatExporter, ["backfill", "--statement-timeout", timeout], environment: [:])
            #expect(bad.status == 64, "\(timeout)")
            #expect(bad.stderr.contains("--statement-timeout must be from 1ms to 24d (got \(milliseconds))"), "\(bad.stderr)")
        }
        // A value that does not parse is a usage error, as for every command.
        let usage = try runProcess(Binary.chatExporter, ["backfill", "--output", "yaml"], environment: [:])
        #expect(usage.status == 64)
    }

    @Test func inProcessErrorsSayWhatToDo() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        // A read-only session is what the exporter has: the preflight passes (the superuser may insert), the write fails.
        let pool = Fixture.pool(database, readOnly: true)
        do {
            _ = try await Backfill(pool: pool, options: BackfillOptions()).run()
            Issue.record("a read-only session cannot backfill")
        } catch {
            #expect(error.kind == .readOnly)
            #expect(error.partial != nil)
        }
        await pool.shutdown()
        #expect(try Fixture.livePairs(database) == [Fixture.live])
    }
}
