import Foundation
import Testing
import TestSupport

/// `chat-exporter check`: the old verification report, with exit codes a script can trust.
struct CheckCommandTests {
    private func check(_ database: TestDatabase, _ arguments: [String] = [], environment extra: [String: String] = [:]) throws -> ProcessResult {
        var environment = ["DATA_SOURCE_NAME": database.keyValueDSN]
        environment.merge(extra) { _, new in new }
        return try runProcess(Binary.chatExporter, ["check"] + arguments, environment: environment, timeout: .seconds(60))
    }

    /// A teacher, a student, tomorrow's lesson and an active booking: the trigger makes the room.
    private func healthyPlatform() throws -> TestDatabase {
        let database = try TestPostgres.shared().createDatabase()
        try database.execute("""
            INSERT INTO users (id, email, role) VALUES
              ('00000000-0000-0000-0000-0000000000a1', 'teacher@example.com', 'teacher'),
              ('00000000-0000-0000-0000-0000000000b1', 'student@example.com', 'student');
            INSERT INTO lessons (id, teacher_id, start_time, end_time) VALUES
              ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day', now() + interval '1 day 1 hour');
            INSERT INTO bookings (lesson_id, student_id, status) VALUES
              ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000b1', 'active');
            """)
        return database
    }

    @Test func aHealthyDatabaseExitsZeroWithoutColourWhenNotATerminal() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        let result = try check(database)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("✓ trigger 'booking_create_chat' exists, fires on INSERT for each row and is enabled"))
        #expect(result.stdout.contains("✓ every active booking has a live chat room"))
        #expect(result.stdout.contains("127.0.0.1:\(database.server.port)/\(database.name) as postgres"))
        #expect(!result.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        #expect(!result.stdout.contains(database.server.password))
    }

    @Test func colourOnATerminalOnlyAndNeverWithNoColor() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        // script(1) gives the command a pseudo-terminal as its stdout.
        let command = "\(try Binary.chatExporter) check"
        let terminal = try runProcess("script", ["-qec", command, "/dev/null"], environment: ["DATA_SOURCE_NAME": database.keyValueDSN, "TERM": "xterm"])
        #expect(terminal.status == 0)
        #expect(terminal.stdout.contains("\u{1B}[32m✓\u{1B}[0m"))
        let noColor = try runProcess("script", ["-qec", command, "/dev/null"], environment: ["DATA_SOURCE_NAME": database.keyValueDSN, "TERM": "xterm", "NO_COLOR": "1"])
        #expect(noColor.status == 0)
        #expect(noColor.stdout.contains("✓ All checks passed."))
        #expect(!noColor.stdout.contains("\u{1B}["))
    }

    @Test func aDisabledTriggerAndAnOldBookingWithoutARoomExitOne() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        try database.execute("""
            ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;
            INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-0000000000b2', 'late@example.com');
            INSERT INTO bookings (lesson_id, student_id, status, created_at) VALUES
              ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000b2', 'active', now() - interval '10 minutes');
            """)
        let result = try check(database)
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ trigger 'booking_create_chat' exists but does NOT fire on INSERT for each row"))
        #expect(result.stdout.contains("✗ 1 active booking without a live room (1 missing, 0 blocked by a soft-deleted room)"))

        let json = try check(database, ["--output", "json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["healthy"] as? Bool == false)
        #expect(object["exit_code"] as? Int == 1)
        let metrics = try #require(object["metrics"] as? [String: Any])
        #expect(metrics["chat_trigger_enabled{trigger=\"booking_create_chat\"}"] as? Double == 0)
        #expect(metrics["chat_bookings_without_room{reason=\"missing\"}"] as? Double == 1)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.contains { $0["name"] as? String == "booking_create_chat" && $0["status"] as? String == "problem" })

        // A booking younger than the grace period is only a warning.
        let lenient = try check(database, ["--grace-period", "1h"])
        #expect(lenient.stdout.contains("⚠ 1 active booking without a live room"))
    }

    /// Without the unique constraint the trigger's ON CONFLICT fails on every activation: a problem, as the
    /// critical alert says, not a warning.
    @Test func aMissingUniqueConstraintExitsOne() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        try database.execute("ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_teacher_id_student_id_key")
        let result = try check(database)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("✗ no unique constraint on chat_rooms (teacher_id, student_id)"))
    }

    /// A collector that fails is named in the text as in the JSON: three identical lines would not say which.
    @Test func aFailingCollectorIsNamed() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        try database.execute("DROP TABLE audit_logs")
        let result = try check(database)
        #expect(result.status == 1, "\(result.stdout)")
        for collector in ["chat_audit", "chat_audit_response", "chat_clock"] {
            #expect(result.stdout.contains("✗ collector \(collector) failed (query): "), "\(result.stdout)")
        }
    }

    /// A role without the grants or a database without the platform's tables is not a finding about the platform:
    /// the report could not be made (exit 2, as for an unreachable database), and a database that is not the
    /// platform's does not read as missing triggers.
    @Test func aWrongRoleOrAWrongDatabaseCannotBeChecked() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        let role = "nogrants_\(UUID().uuidString.prefix(8).lowercased())"
        try database.execute("CREATE ROLE \(role) LOGIN PASSWORD 'nogrants-password'")
        defer { try? database.execute("DROP ROLE IF EXISTS \(role)") }
        let server = database.server
        let denied = try runProcess(Binary.chatExporter, ["check", "--output", "json"], environment: [
            "DATA_SOURCE_NAME": "host=\(server.host) port=\(server.port) dbname=\(database.name) user=\(role) password=nogrants-password",
        ], timeout: .seconds(60))
        #expect(denied.status == 2, "\(denied.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(denied.stdout.utf8)) as? [String: Any])
        #expect((object["cannot_check"] as? String)?.contains("may not read") == true, "\(denied.stdout)")
        #expect((object["cannot_check"] as? String)?.contains("apply deploy/sql/role.sql") == true, "\(denied.stdout)")
        #expect(object["exit_code"] as? Int == 2)

        // A collector of the user's own reads what role.sql may not grant: applying it again would not help.
        let custom = FileManager.default.temporaryDirectory.path + "/chat-exporter-custom-\(UUID().uuidString).yml"
        try """
            collectors:
              - name: my_messages
                sql: SELECT count(*) AS n FROM messages
                metrics:
                  - {name: my_messages_total_rows, type: gauge, help: Messages., value: n}
            """.write(toFile: custom, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: custom) }
        let deniedCustom = try runProcess(Binary.chatExporter, ["check", "--config.file", custom], environment: [
            "DATA_SOURCE_NAME": "host=\(server.host) port=\(server.port) dbname=\(database.name) user=\(role) password=nogrants-password",
        ], timeout: .seconds(60))
        #expect(deniedCustom.status == 2, "\(deniedCustom.stdout)")
        #expect(deniedCustom.stdout.contains("may not read what collector my_messages needs (permission denied for table messages)"), "\(deniedCustom.stdout)")
        #expect(deniedCustom.stdout.contains("grants only the columns the default collectors read"), "\(deniedCustom.stdout)")

        let other = "empty_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try server.psql("CREATE DATABASE \(other) TEMPLATE template1")
        defer { _ = try? server.psql("DROP DATABASE IF EXISTS \(other) WITH (FORCE)") }
        let elsewhere = try check(database, environment: [
            "DATA_SOURCE_NAME": database.keyValueDSN.replacingOccurrences(of: "dbname=\(database.name)", with: "dbname=\(other)"),
        ])
        #expect(elsewhere.status == 2, "\(elsewhere.stdout)")
        #expect(elsewhere.stdout.contains("cannot check: the platform's tables are not in database \(other)"), "\(elsewhere.stdout)")
        #expect(!elsewhere.stdout.contains("trigger 'booking_create_chat' is missing"), "\(elsewhere.stdout)")

        // A time zone the server does not know: the exporter's flag, not the platform (exit 2, not 1 with every
        // check "not collected").
        let zone = try runProcess(Binary.chatExporter, ["check", "--database.timezone=Mars/Olympus"], environment: [
            "DATA_SOURCE_NAME": database.keyValueDSN,
        ], timeout: .seconds(60))
        #expect(zone.status == 2, "\(zone.stdout)")
        #expect(zone.stdout.contains("cannot check: session settings rejected by the server (--database.timezone?)"), "\(zone.stdout)")
    }

    /// Data hygiene and a moderation backlog are what their alerts make them: a warning, not a failed check.
    @Test func orphanedBookingsAndOldPendingMessagesAreWarnings() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        try database.execute("""
            INSERT INTO lessons (id, teacher_id, start_time, end_time, deleted_at) VALUES
              ('00000000-0000-0000-0000-0000000000c2', '00000000-0000-0000-0000-0000000000a1', now() - interval '2 days', now() - interval '2 days' + interval '1 hour', now());
            INSERT INTO bookings (lesson_id, student_id, status) VALUES
              ('00000000-0000-0000-0000-0000000000c2', '00000000-0000-0000-0000-0000000000b1', 'active');
            INSERT INTO messages (chat_room_id, sender_id, message_text, status, created_at)
              SELECT id, student_id, 'hello', 'pending_moderation', now() - interval '20 minutes' FROM chat_rooms LIMIT 1;
            """)
        let result = try check(database)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("⚠ 1 active booking of soft-deleted lessons"), "\(result.stdout)")
        #expect(result.stdout.contains("⚠ messages pending moderation: 1 (oldest 20m"), "\(result.stdout)")
    }

    /// The platform writes UTC wall-clock times; read with --database.timezone five hours behind UTC, its newest
    /// rows are dated 5 hours ahead, and check says so (exit 1). Read in UTC, the same database is healthy.
    @Test func timestampsReadInAZoneBehindTheirsAreAProblem() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        let wrongZone = try check(database, ["--database.timezone", "Etc/GMT+5"])
        #expect(wrongZone.status == 1, "\(wrongZone.stdout)")
        #expect(["5h0m", "4h59m", "4h58m"].contains { wrongZone.stdout.contains("✗ the newest rows are dated \($0) ahead") }, "\(wrongZone.stdout)")
        #expect(wrongZone.stdout.contains("ahead of --database.timezone"))
        let rightZone = try check(database)
        #expect(rightZone.status == 0, "\(rightZone.stdout)")
        #expect(rightZone.stdout.contains("✓ no row is dated ahead of now() in the session zone"), "\(rightZone.stdout)")
    }

    /// A booking blocked by a soft-deleted room for a day is a warning of its own; it does not make a booking
    /// left without any room a minute ago look past the grace period.
    @Test func anOldBookingBlockedByADeletedRoomDoesNotMakeANewOneLate() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        try database.execute("""
            ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;
            INSERT INTO users (id, email) VALUES
              ('00000000-0000-0000-0000-0000000000b2', 'blocked@example.com'),
              ('00000000-0000-0000-0000-0000000000b3', 'new@example.com');
            INSERT INTO chat_rooms (teacher_id, student_id, created_at, deleted_at) VALUES
              ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000b2', now() - interval '3 days', now() - interval '2 days');
            INSERT INTO bookings (lesson_id, student_id, status, created_at) VALUES
              ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000b2', 'active', now() - interval '1 day'),
              ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000b3', 'active', now() - interval '1 minute');
            ALTER TABLE bookings ENABLE TRIGGER booking_create_chat;
            """)
        let result = try check(database)
        #expect(result.stdout.contains("⚠ 2 active bookings without a live room (1 missing, 1 blocked by a soft-deleted room); oldest missing 1m"), "\(result.stdout)")
        #expect(result.stdout.contains("within the grace period"))
        #expect(result.stdout.contains("⚠ 1 booking whose pair has only a soft-deleted room (oldest 1d0h)"))
        #expect(result.status == 0, "warnings only: \(result.stdout)")
    }

    @Test func anUnreachableDatabaseOrABrokenConfigurationExitsTwo() throws {
        let unreachable = try runProcess(Binary.chatExporter, ["check", "--database.connect-timeout=2s"], environment: [
            "DATA_SOURCE_NAME": "host=127.0.0.1 port=\(freeTCPPort()) dbname=x user=x password=never-shown",
        ], timeout: .seconds(60))
        #expect(unreachable.status == 2)
        #expect(unreachable.stdout.contains("✗ cannot connect to 127.0.0.1:"))
        #expect(!(unreachable.stdout + unreachable.stderr).contains("never-shown"))

        let broken = NSTemporaryDirectory() + "broken-\(UUID().uuidString).yml"
        try "collectors: {".write(toFile: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let badConfig = try runProcess(Binary.chatExporter, ["check", "--config.file", broken], environment: [:], timeout: .seconds(30))
        #expect(badConfig.status == 2)
        #expect(badConfig.stderr.contains(broken))
        let badConfigJSON = try runProcess(Binary.chatExporter, ["check", "--config.file", broken, "--output", "json"], environment: [:], timeout: .seconds(30))
        #expect(badConfigJSON.status == 2)
        let failure = try #require(try JSONSerialization.jsonObject(with: Data(badConfigJSON.stdout.utf8)) as? [String: Any], "\(badConfigJSON.stdout)")
        #expect(failure["healthy"] as? Bool == false && failure["exit_code"] as? Int == 2 && failure["kind"] as? String == "configuration")
        #expect((failure["error"] as? String)?.contains(broken) == true)
    }

    /// A libpq service file names the database (README: service files keep working): check reports where it
    /// connected, as libpq resolved it, and names the service when it cannot connect; never the defaults it did not use.
    @Test func aServiceFileIsReportedAsLibpqResolvedIt() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        let temporary = try TemporaryDirectory(prefix: "service")
        defer { temporary.remove() }
        let directory = temporary.path
        let serviceFile = directory + "/pg_service.conf"
        let unreachablePort = freeTCPPort()
        try """
            [platform]
            host=127.0.0.1
            port=\(database.server.port)
            dbname=\(database.name)
            user=\(database.server.superuser)
            password=\(database.server.password)

            [gone]
            host=127.0.0.1
            port=\(unreachablePort)
            dbname=x
            user=x
            """.write(toFile: serviceFile, atomically: true, encoding: .utf8)

        let viaEnvironment = try runProcess(Binary.chatExporter, ["check"],
                                            environment: ["PGSERVICEFILE": serviceFile, "PGSERVICE": "platform"], timeout: .seconds(60))
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stdout)\(viaEnvironment.stderr)")
        #expect(viaEnvironment.stdout.contains("connected to 127.0.0.1:\(database.server.port)/\(database.name) as postgres"), "\(viaEnvironment.stdout)")
        #expect(!viaEnvironment.stdout.contains(database.server.password))

        let viaURI = try runProcess(Binary.chatExporter, ["check", "--output", "json"],
                                    environment: ["PGSERVICEFILE": serviceFile, "DATABASE_URL": "postgresql://?service=platform"], timeout: .seconds(60))
        #expect(viaURI.status == 0, "\(viaURI.stdout)\(viaURI.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(viaURI.stdout.utf8)) as? [String: Any])
        let connection = try #require(report["connection"] as? [String: Any])
        #expect(connection["database"] as? String == database.name && connection["port"] as? String == String(database.server.port))

        let gone = try runProcess(Binary.chatExporter, ["check", "--database.connect-timeout=2s"],
                                  environment: ["PGSERVICEFILE": serviceFile, "PGSERVICE": "gone"], timeout: .seconds(60))
        #expect(gone.status == 2)
        #expect(gone.stdout.contains("✗ cannot connect to service=gone:"), "\(gone.stdout)")
    }

    /// docs/collectors-file.md's example runs on the platform's schema (each of its collectors succeeds), and what
    /// such a file does not collect is reported as not collected, the audit section included, never as healthy.
    @Test func theCollectorsFileExampleRunsAndWhatItLacksIsNotCollected() throws {
        let database = try healthyPlatform()
        defer { database.drop() }
        let documentation = try String(contentsOfFile: PackageLayout.path("docs/collectors-file.md"), encoding: .utf8)
        let start = try #require(documentation.range(of: "## Example\n\n```yaml\n"))
        let end = try #require(documentation.range(of: "```", range: start.upperBound..<documentation.endIndex))
        let example = NSTemporaryDirectory() + "example-\(UUID().uuidString).yml"
        try String(documentation[start.upperBound..<end.lowerBound]).write(toFile: example, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: example) }

        let result = try check(database, ["--config.file", example])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("collector chat_"), "a collector of the example failed:\n\(result.stdout)")
        #expect(result.stdout.contains("✗ not collected (chat_audit_error_ratio missing)"), "\(result.stdout)")
        #expect(!result.stdout.contains("no chat audit events"))
    }
}
