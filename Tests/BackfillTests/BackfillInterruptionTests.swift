import Backfill
import Foundation
import Glibc
import Synchronization
import Testing
import TestSupport

/// A backfill stopped part-way (SIGTERM from systemd's or a CronJob's deadline, Ctrl-C by hand): what it committed
/// stays and is logged, what it reports is true, and a run afterwards goes on from there.
struct BackfillInterruptionTests {
    @Test func aStopRequestEndsTheRunAfterTheBatchInFlight() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        var options = BackfillOptions()
        options.batchSize = 1
        options.restoreDeleted = true
        let stop = BackfillStop()
        let batches = Mutex<[BackfillProgress]>([])
        let pool = Fixture.pool(database)
        let summary: BackfillSummary
        do {
            summary = try await Backfill(pool: pool, options: options).run(stop: stop) { event in
                guard case .progress(let progress) = event else { return }
                batches.withLock { $0.append(progress) }
                stop.request(BackfillStop.Request(reason: "test", exitCode: 143))
            }
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }

        let seen = batches.withLock { $0 }
        #expect(seen.count == 1, "no batch starts after the request")
        #expect(summary.batches == 1)
        #expect(summary.created == 1)
        #expect(summary.restored == 0, "the restoring phase never starts")
        #expect(seen.first?.madeLive == summary.createdRooms, "the batch's event carries the room it made")
        #expect(summary.interruption == BackfillStop.Request(reason: "test", exitCode: 143))
        #expect(summary.exitCode == 143)
        #expect(summary.remainingMissing == 2, "counted again after the stop")
        #expect(summary.blocked == 1)
        let made = try #require(summary.createdRooms.first)
        #expect(try Fixture.livePairs(database) == [Fixture.live, Pair(made.teacherID, made.studentID)])

        // The JSON says so, and reads back.
        let decoded = try JSONDecoder().decode(BackfillSummary.self, from: JSONEncoder().encode(summary))
        #expect(decoded == summary)

        let rest = try await Fixture.run(database)
        #expect(rest.interruption == nil)
        #expect(rest.created == 2)
        #expect(try Fixture.livePairs(database) == Fixture.missing.union([Fixture.live]))
    }

    /// (T1, S2)'s room, inserted and held uncommitted by another session until the test adds a row to `release`:
    /// the backfill's first batch (batch size 2: (T1, S1) and (T1, S2), in key order) gives way to it within 50 ms
    /// and is made pair by pair: (T1, S1) in a statement of its own, then (T1, S2), which waits on the holder, and
    /// the signals arrive while it waits. Returns once the row is in place.
    private func holdSecondPairsRoom(_ database: TestDatabase) async throws -> Task<Void, any Error> {
        try database.execute("CREATE TABLE release (at timestamptz)")
        return try await Fixture.holdRoom(database, teacher: ID.teacher(1), student: ID.student(2), while: """
            WHILE NOT EXISTS (SELECT 1 FROM release) LOOP
              IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'never released'; END IF;
              PERFORM pg_sleep(0.01);
            END LOOP;
            """)
    }

    /// Starts the binary's backfill and waits until a statement has waited on the held row for longer than a batch
    /// ever does: the insert of (T1, S2) alone, after (T1, S1) was made (with batches of 2, pair by pair; with batches
    /// of 1, by the first batch).
    private func startBlockedBackfill(_ database: TestDatabase, batchSize: Int = 2) throws -> ExporterProcess {
        let backfill = try ExporterProcess.start(
            arguments: ["backfill", "--batch-size", "\(batchSize)", "--output", "json", "--database.lock-timeout", "60s"],
            environment: ["DATA_SOURCE_NAME": database.keyValueDSN], listening: false)
        try waitUntil(timeout: .seconds(30), "the backfill waits on the held room; its log: \(backfill.stderr())") {
            guard backfill.isRunning else { throw TestSupportError("the backfill exited: \(backfill.stderr())") }
            return try database.scalar("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = 'chat-exporter-backfill' AND wait_event_type = 'Lock'
                   AND clock_timestamp() - query_start > interval '300 milliseconds'
                """) == "1"
        }
        return backfill
    }

    /// Sends `signal` to a backfill and waits until it says it stops after the batch in flight.
    private func askToStop(_ backfill: ExporterProcess, with signal: Int32) throws {
        backfill.signal(signal)
        try waitUntil(timeout: .seconds(10), "the backfill says it stops; its log: \(backfill.stderr())") {
            backfill.stderr().contains("stopping after the batch in flight")
        }
    }

    /// SIGTERM (a deadline) and SIGHUP (a closed terminal, or a reload meant for the exporter sent by name) alike.
    @Test(arguments: [(SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")])
    func aSignalLetsTheBatchInFlightCommitAndPrintsTheSummary(signal: Int32, name: String) async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        let holder = try await holdSecondPairsRoom(database)
        let backfill = try startBlockedBackfill(database)

        try askToStop(backfill, with: signal)
        #expect(backfill.isRunning, "it waits for the batch in flight")
        try database.execute("INSERT INTO release VALUES (now())")
        try await holder.value
        let status = try backfill.waitForExit(timeout: .seconds(30))

        #expect(status == 128 + signal, "128 + \(name): \(backfill.stderr())")
        let summary = try JSONDecoder().decode(BackfillSummary.self, from: Data(backfill.stdout().utf8))
        #expect(summary.interruption?.reason == name)
        #expect(summary.exitCode == 128 + signal)
        #expect(summary.batches == 2, "(T1, S1), then (T1, S2): the statement in flight")
        #expect(summary.created == 1, "(T1, S1)")
        #expect(summary.alreadyPresent == 1, "(T1, S2): the holder's, committed while the statement in flight waited")
        #expect(summary.remainingMissing == 1, "(T2, S3): no batch after the signal")
        #expect(summary.blocked == 1)
        #expect(try Fixture.livePairs(database) == [
            Fixture.live, Pair(ID.teacher(1), ID.student(1)), Pair(ID.teacher(1), ID.student(2)),
        ])
        let log = backfill.stderr()
        #expect(log.components(separatedBy: "msg=\"created room\"").count - 1 == 1, "\(log)")
        #expect(log.contains("msg=\"backfill interrupted\""), "\(log)")
    }

    @Test func aSecondSignalCancelsTheBatchInFlightWhichRollsBack() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        let holder = try await holdSecondPairsRoom(database)
        let backfill = try startBlockedBackfill(database)

        try askToStop(backfill, with: SIGINT)
        backfill.signal(SIGINT)
        let status = try backfill.waitForExit(timeout: .seconds(30))
        try database.execute("INSERT INTO release VALUES (now())")
        try await holder.value

        #expect(status == 130, "128 + SIGINT: \(backfill.stderr())")
        let failure = try #require(
            try JSONSerialization.jsonObject(with: Data(backfill.stdout().utf8)) as? [String: Any], "\(backfill.stdout())")
        #expect(failure["kind"] as? String == "interrupted")
        #expect(failure["interrupted"] as? String == "SIGINT")
        #expect(failure["exit_code"] as? Int == 130)
        #expect(failure["created"] as? Int == 1, "(T1, S1), committed by its own statement before the signals")
        #expect(backfill.stderr().contains("rolled back"), "\(backfill.stderr())")
        // The cancelled statement made nothing: (T1, S2)'s room is the holder's, and (T2, S3) never started.
        #expect(try Fixture.livePairs(database) == [
            Fixture.live, Pair(ID.teacher(1), ID.student(1)), Pair(ID.teacher(1), ID.student(2)),
        ])
        let holders = try database.scalar("""
            SELECT count(*) FROM chat_rooms WHERE teacher_id = '\(ID.teacher(1))' AND student_id = '\(ID.student(2))'
            """)
        #expect(holders == "1")
    }

    @Test func aKilledRunHasLoggedEveryRoomItCommitted() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        let holder = try await holdSecondPairsRoom(database)
        let backfill = try startBlockedBackfill(database, batchSize: 1)

        // The first batch made (T1, S1)'s room and committed; the second waits. SIGKILL leaves no summary.
        backfill.signal(SIGKILL)
        let status = try backfill.waitForExit(timeout: .seconds(10))
        try database.execute("INSERT INTO release VALUES (now())")
        try await holder.value

        #expect(status == 128 + SIGKILL)
        let made = try database.scalar(
            "SELECT id FROM chat_rooms WHERE teacher_id = '\(ID.teacher(1))' AND student_id = '\(ID.student(1))'")
        let logged = backfill.stderr().split(separator: "\n").filter { $0.contains("msg=\"created room\"") }
        #expect(logged.count == 1, "\(backfill.stderr())")
        #expect(logged.first?.contains("room_id=\(made)") == true, "\(logged)")
    }
}
