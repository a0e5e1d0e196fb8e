import Backfill
import Foundation
import Testing
import TestSupport

/// What a backfill creates, reports and leaves alone, in-process and through the binary.
struct BackfillRunTests {
    @Test func aDryRunChangesNothingAndListsTheMissingAndBlockedPairs() throws {
        let database = try Fixture.make()
        defer { database.drop() }
        let before = try Fixture.rooms(database)

        let result = try Fixture.runBinary(database, ["--dry-run", "--output", "json"])
        #expect(result.status == 1, "something would be done: \(result.stderr)")
        let summary = try Fixture.decode(result)
        #expect(summary.dryRun)
        #expect(summary.missingAtStart == 3)
        #expect(summary.blockedAtStart == 1)
        #expect(summary.created == 0 && summary.restored == 0)
        #expect(Set(summary.wouldCreate.map { Pair($0.teacherID, $0.studentID) }) == Fixture.missing)
        #expect(summary.wouldCreate.first { $0.studentID == ID.student(1) }?.activeBookings == 2)
        #expect(summary.blockedPairs.map { Pair($0.teacherID, $0.studentID) } == [Fixture.blocked])
        #expect(summary.blockedPairs.first?.roomID == ID.room(1))
        #expect(try Fixture.rooms(database) == before, "a dry run changes nothing")

        let text = try Fixture.runBinary(database, ["--dry-run"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("nothing was changed"))
        #expect(text.stdout.contains("Would create 3 rooms:"))
        for pair in Fixture.missing {
            #expect(text.stdout.contains("teacher \(pair.teacher)  student \(pair.student)"))
        }
        #expect(text.stdout.contains("Blocked by a soft-deleted room (1) (left alone without --restore-deleted):"))
        #expect(text.stdout.contains("room \(ID.room(1)) deleted at"))
        #expect(try Fixture.rooms(database) == before)
    }

    @Test func aDryRunAnswersAsARunWithTheSameFlagsWould() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        var created = try await Fixture.run(database) { $0.allowBlocked = true }
        #expect(created.created == 3)
        // Only the blocked pair is left. With --allow-blocked a run has nothing to do and exits 0: so does its dry run,
        // without claiming every booking has a live room.
        let allowed = try Fixture.runBinary(database, ["--dry-run", "--allow-blocked"])
        #expect(allowed.status == 0, "\(allowed.stdout)")
        #expect(allowed.stdout.contains("✓ Nothing to create; 1 blocked by a soft-deleted room, left for a person"), "\(allowed.stdout)")
        // With --restore-deleted as well, a run would restore it: the dry run has something to report.
        let restoring = try Fixture.runBinary(database, ["--dry-run", "--allow-blocked", "--restore-deleted"])
        #expect(restoring.status == 1, "\(restoring.stdout)")
        #expect(restoring.stdout.contains("Would restore (1):"), "\(restoring.stdout)")
        // --limit: the dry run counts what that run would create, not the whole backlog.
        try database.execute("DELETE FROM chat_rooms WHERE deleted_at IS NULL AND id <> (SELECT id FROM chat_rooms WHERE teacher_id = '\(ID.teacher(2))' AND student_id = '\(ID.student(1))')")
        let limited = try Fixture.runBinary(database, ["--dry-run", "--limit", "2"])
        #expect(limited.stdout.contains("Would create 2 of the 3 missing rooms (--limit):"), "\(limited.stdout)")
        created = try await Fixture.run(database) { $0.limit = 2 }
        #expect(created.created == 2)
        // A limit above the backlog counts the backlog (one room left).
        let above = try Fixture.runBinary(database, ["--dry-run", "--limit", "10", "--output", "json"])
        #expect(try Fixture.decode(above).wouldCreateCount == 1, "\(above.stdout)")
    }

    @Test func aRunCreatesExactlyTheMissingRoomsAsTheTriggerWouldAndASecondRunCreatesNothing() throws {
        let database = try Fixture.make()
        defer { database.drop() }
        let before = try Fixture.rooms(database)

        let result = try Fixture.runBinary(database, ["--output", "json"])
        #expect(result.status == 1, "the blocked pair remains: \(result.stderr)")
        let summary = try Fixture.decode(result)
        #expect(!summary.dryRun)
        #expect(summary.created == 3)
        #expect(summary.alreadyPresent == 0)
        #expect(summary.restored == 0)
        #expect(summary.blocked == 1)
        #expect(summary.remainingMissing == 0)
        #expect(Set(summary.createdRooms.map { Pair($0.teacherID, $0.studentID) }) == Fixture.missing)
        // The journal holds what each run created, at the default log level.
        #expect(result.stderr.components(separatedBy: "msg=\"created room\"").count - 1 == 3, "\(result.stderr)")

        // Exactly the missing pairs got a room, each once, live, stamped now() like the trigger does.
        #expect(try Fixture.livePairs(database) == Fixture.missing.union([Fixture.live]))
        #expect(try Fixture.duplicatePairs(database) == 0)
        let stamped = try database.rows("""
            SELECT count(*) FILTER (WHERE created_at = updated_at AND created_at > now() - interval '5 minutes'
                                      AND deleted_at IS NULL AND last_message_at IS NULL)
              FROM chat_rooms WHERE id::text IN (\(summary.createdRooms.map { "'\($0.id)'" }.joined(separator: ",")))
            """)
        #expect(stamped == [["3"]])
        // The blocked room stays soft-deleted, and nothing else changed.
        let untouched = try Fixture.rooms(database).filter { row in before.contains { $0[0] == row[0] } }
        #expect(untouched == before)

        let second = try Fixture.runBinary(database, [])
        #expect(second.status == 1)
        #expect(reportCount(second.stdout, "created") == 0)
        #expect(reportCount(second.stdout, "blocked") == 1)
        #expect(second.stdout.contains("pairs blocked by a soft-deleted room, left alone (--restore-deleted undeletes them)"))
        #expect(second.stdout.contains("✗ Something remains: 1 blocked by a soft-deleted room."))
        #expect(try Fixture.rooms(database).count == before.count + 3)

        // A scheduled run with --allow-blocked: the blocked pair is reported, and is no failure.
        let scheduled = try Fixture.runBinary(database, ["--allow-blocked"])
        #expect(scheduled.status == 0, "\(scheduled.stdout)\(scheduled.stderr)")
        #expect(reportCount(scheduled.stdout, "blocked") == 1)
        #expect(scheduled.stdout.contains("✓ Nothing left to create; 1 blocked by a soft-deleted room, left for a person (--allow-blocked)."))
        let scheduledJSON = try Fixture.runBinary(database, ["--allow-blocked", "--output", "json"])
        #expect(scheduledJSON.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(scheduledJSON.stdout.utf8)) as? [String: Any])
        #expect(object["blocked"] as? Int == 1 && object["blocked_allowed"] as? Bool == true && object["exit_code"] as? Int == 0)
        #expect(try Fixture.rooms(database).count == before.count + 3)
    }

    @Test func restoreDeletedUndeletesOnlyTheBlockingRoomsAndOnlyWhenAsked() async throws {
        let database = try Fixture.make()
        defer { database.drop() }

        let plain = try await Fixture.run(database)
        #expect(plain.restored == 0)
        #expect(plain.blocked == 1)
        #expect(plain.exitCode == 1)
        #expect(try database.scalar("SELECT deleted_at IS NOT NULL FROM chat_rooms WHERE id = '\(ID.room(1))'") == "t")

        let restoring = try Fixture.runBinary(database, ["--restore-deleted", "--output", "json"])
        #expect(restoring.status == 0, "nothing remains: \(restoring.stdout) \(restoring.stderr)")
        let summary = try Fixture.decode(restoring)
        #expect(summary.restored == 1)
        #expect(summary.restoredRooms.map(\.id) == [ID.room(1)])
        #expect(summary.created == 0)
        #expect(summary.blocked == 0 && summary.remainingMissing == 0)
        let room = try database.rows("SELECT deleted_at IS NULL, updated_at > now() - interval '5 minutes', created_at < now() - interval '9 days' FROM chat_rooms WHERE id = '\(ID.room(1))'")
        #expect(room == [["t", "t", "t"]], "undeleted, updated_at bumped, created_at kept")
        // The soft-deleted room of a pair without an active booking stays deleted.
        #expect(try database.scalar("SELECT deleted_at IS NOT NULL FROM chat_rooms WHERE id = '\(ID.room(2))'") == "t")
        #expect(try Fixture.duplicatePairs(database) == 0)

        let again = try Fixture.runBinary(database, ["--restore-deleted"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("✓ Every active booking has a live chat room."))
    }

    @Test func theTeacherIsNeverPairedWithThemselvesAndSoftDeletedBookingsAndLessonsDoNotCount() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        let summary = try await Fixture.run(database) { $0.restoreDeleted = true }
        #expect(summary.exitCode == 0)
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms WHERE teacher_id = student_id") == "0")
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms WHERE teacher_id = '\(ID.teacher(1))' AND student_id = '\(ID.student(5))'") == "0",
                "a soft-deleted booking makes no room")
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms WHERE student_id = '\(ID.student(6))'") == "0",
                "an active booking on a soft-deleted lesson, completed and cancelled bookings make no room")
        #expect(try Fixture.livePairs(database) == Fixture.missing.union([Fixture.live, Fixture.blocked]))
    }

    @Test func batchesAndTheLimit() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        // 40 teachers × 30 students, one active booking each, all without a room: 1200 missing pairs.
        try database.execute("""
            INSERT INTO users (id, role) SELECT md5('t' || i)::uuid, 'teacher' FROM generate_series(1, 40) i;
            INSERT INTO users (id, role) SELECT md5('s' || i)::uuid, 'student' FROM generate_series(1, 30) i;
            INSERT INTO lessons (id, teacher_id) SELECT md5('l' || i)::uuid, md5('t' || i)::uuid FROM generate_series(1, 40) i;
            ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;
            INSERT INTO bookings (lesson_id, student_id, status)
              SELECT md5('l' || i)::uuid, md5('s' || j)::uuid, 'active' FROM generate_series(1, 40) i, generate_series(1, 30) j;
            ALTER TABLE bookings ENABLE TRIGGER booking_create_chat;
            """)

        let limited = try await Fixture.run(database) {
            $0.batchSize = 100
            $0.limit = 250
        }
        #expect(limited.created == 250)
        #expect(limited.batches == 3, "100 + 100 + 50")
        #expect(limited.limitReached)
        #expect(limited.remainingMissing == 950)
        #expect(limited.exitCode == 1)
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms") == "250")

        let dry = try await Fixture.run(database) {
            $0.dryRun = true
            $0.limit = 10
        }
        #expect(dry.wouldCreate.count == 10)
        #expect(dry.missingAtStart == 950)
        #expect(dry.limitReached)

        let rest = try Fixture.runBinary(database, ["--batch-size", "300", "--output", "json"])
        #expect(rest.status == 0, "\(rest.stderr)")
        let summary = try Fixture.decode(rest)
        #expect(summary.created == 950)
        #expect(summary.batches == 4, "300 + 300 + 300 + 50")
        #expect(!summary.limitReached)
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms") == "1200")
        #expect(try Fixture.duplicatePairs(database) == 0)
        // Not on a terminal: plain log lines, no progress bar.
        #expect(rest.stderr.contains("msg=\"batch done\""))
        #expect(!rest.stderr.contains("\r"))
    }

    @Test func aProgressBarOnATerminal() throws {
        let database = try Fixture.make()
        defer { database.drop() }
        // script(1) gives the command a pseudo-terminal; its output (stdout and stderr together) comes back on stdout.
        let command = "\(try Binary.chatExporter) backfill --batch-size 1"
        let result = try runProcess("script", ["-qec", command, "/dev/null"], environment: [
            "DATA_SOURCE_NAME": database.keyValueDSN, "TERM": "xterm", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ], timeout: .seconds(60))
        #expect(result.status == 1)
        #expect(result.stdout.contains("\rcreating") || result.stdout.contains("\r\u{1B}[Kcreating"))
        #expect(result.stdout.contains("[##############################] 100% 3/3 pairs"))
        #expect(!result.stdout.contains("batch done"))
    }
}

/// The number on the text report's line for `label` ("  created        3  rooms …").
func reportCount(_ text: String, _ label: String) -> Int? {
    for line in text.split(separator: "\n") where line.hasPrefix("  \(label) ") {
        let rest = line.dropFirst(label.count + 2).drop { $0 == " " }
        return Int(rest.prefix { $0.isNumber })
    }
    return nil
}
