import Backfill
import Foundation
import Synchronization
import Testing
import TestSupport

/// Two backfills and the live trigger at the same time, on the same pairs: no duplicate, no error, and every
/// room accounted for exactly once. Serialized: each test holds several connections and processes.
@Suite(.serialized)
struct BackfillConcurrencyTests {
    static let teachers = 20
    static let students = 30

    /// 600 pairs (20 teachers × 30 students), each with an active booking left without a room (trigger off) and a
    /// pending booking the test activates later with the trigger on, so the trigger races the backfills for the
    /// same pairs. Returns the database and the ids of the pending bookings, shuffled.
    private func contendedPlatform() throws -> (TestDatabase, [String]) {
        let database = try TestPostgres.shared().createDatabase()
        try database.execute("""
            INSERT INTO users (id, role) SELECT md5('t' || i)::uuid, 'teacher' FROM generate_series(1, \(Self.teachers)) i;
            INSERT INTO users (id, role) SELECT md5('s' || i)::uuid, 'student' FROM generate_series(1, \(Self.students)) i;
            INSERT INTO lessons (id, teacher_id) SELECT md5('l' || i)::uuid, md5('t' || i)::uuid FROM generate_series(1, \(Self.teachers)) i;
            ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;
            INSERT INTO bookings (lesson_id, student_id, status)
              SELECT md5('l' || i)::uuid, md5('s' || j)::uuid, 'active'
                FROM generate_series(1, \(Self.teachers)) i, generate_series(1, \(Self.students)) j;
            ALTER TABLE bookings ENABLE TRIGGER booking_create_chat;
            INSERT INTO bookings (lesson_id, student_id, status)
              SELECT md5('l' || i)::uuid, md5('s' || j)::uuid, 'pending'
                FROM generate_series(1, \(Self.teachers)) i, generate_series(1, \(Self.students)) j;
            """)
        let pending = try database.rows("SELECT id FROM bookings WHERE status = 'pending' ORDER BY random()").map { $0[0] }
        return (database, pending)
    }

    /// Activates the bookings one statement (one transaction) each, through psql, so the trigger fires for each.
    private func activate(_ database: TestDatabase, _ bookings: [String]) throws {
        let sql = bookings.map { "UPDATE bookings SET status = 'active' WHERE id = '\($0)';" }.joined(separator: "\n")
        try database.execute(sql)
    }

    /// Holds a lock on chat_rooms that blocks every insert until `contenders` sessions wait for it, then lets them all
    /// go at once: the backfills and the trigger then start writing at the same moment, on the same pairs. Returns
    /// once the lock is held; the returned task finishes when the gate has opened (it fails past its deadline).
    private func closeGate(_ database: TestDatabase, contenders: Int) async throws -> Task<Void, any Error> {
        let gate = Task {
            try await onThread { () throws -> Void in
                try database.execute("""
                    SET application_name = 'backfill-gate';
                    BEGIN;
                    LOCK TABLE chat_rooms IN SHARE ROW EXCLUSIVE MODE;
                    DO $$
                    DECLARE deadline timestamptz := clock_timestamp() + interval '60 seconds';
                    BEGIN
                      WHILE (SELECT count(*) FROM pg_stat_activity
                              WHERE datname = current_database() AND wait_event_type = 'Lock'
                                AND pid <> pg_backend_pid()) < \(contenders) LOOP
                        IF clock_timestamp() > deadline THEN
                          RAISE EXCEPTION 'only some of the \(contenders) contenders arrived at the gate';
                        END IF;
                        PERFORM pg_sleep(0.01);
                        PERFORM pg_stat_clear_snapshot();  -- pg_stat_activity is otherwise frozen for the transaction
                      END LOOP;
                    END $$;
                    COMMIT;
                    """)
            }
        }
        try await waitUntil(timeout: .seconds(30), "the gate holds its lock on chat_rooms") { () async throws -> Bool in
            try database.scalar("""
                SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE a.application_name = 'backfill-gate' AND l.relation = 'chat_rooms'::regclass AND l.granted
                """) == "1"
        }
        return gate
    }

    /// The accounting every contended run must satisfy.
    private func expectConsistent(_ database: TestDatabase, _ summaries: [BackfillSummary]) throws {
        let total = Self.teachers * Self.students
        #expect(try Fixture.duplicatePairs(database) == 0)
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms") == "\(total)", "one room per pair")
        #expect(try database.scalar("SELECT count(*) FROM bookings WHERE status <> 'active'") == "0")

        // No room is claimed twice, and every claimed room exists.
        let claimed = summaries.flatMap(\.createdRooms)
        #expect(Set(claimed.map(\.id)).count == claimed.count, "two backfills created the same room")
        #expect(Set(claimed.map { Pair($0.teacherID, $0.studentID) }).count == claimed.count, "two backfills created a room for the same pair")
        let ids = Set(try database.rows("SELECT id FROM chat_rooms").map { $0[0] })
        #expect(Set(claimed.map(\.id)).isSubset(of: ids))
        // The rest came from the trigger: the counts add up to the rooms there are.
        let byTrigger = total - claimed.count
        #expect(byTrigger >= 0)
        for summary in summaries {
            #expect(summary.created == summary.createdRooms.count)
            #expect(summary.created + summary.alreadyPresent <= total)
            #expect(summary.remainingMissing == 0)
            #expect(summary.blocked == 0)
        }
        #expect(summaries.map(\.created).reduce(0, +) + byTrigger == total)
    }

    @Test func twoBackfillsInProcessAndTheTriggerAtOnce() async throws {
        let (database, pending) = try contendedPlatform()
        defer { database.drop() }

        let gate = try await closeGate(database, contenders: 3)
        async let first = Fixture.run(database) { $0.batchSize = 25 }
        async let second = Fixture.run(database) { $0.batchSize = 40 }
        async let trigger: Void = onThread { try self.activate(database, pending) }
        let summaries = try await [first, second]
        try await trigger
        try await gate.value

        try expectConsistent(database, summaries)
        // They really met: some candidates were taken by the other backfill or the trigger in between.
        #expect(summaries.map(\.alreadyPresent).reduce(0, +) > 0, "\(summaries.map { ($0.created, $0.alreadyPresent) })")
    }

    @Test func twoBackfillProcessesAndTheTriggerAtOnce() async throws {
        let (database, pending) = try contendedPlatform()
        defer { database.drop() }

        let gate = try await closeGate(database, contenders: 3)
        async let first = onThread { try Fixture.runBinary(database, ["--batch-size", "20", "--output", "json"]) }
        async let second = onThread { try Fixture.runBinary(database, ["--batch-size", "30", "--output", "json"]) }
        async let trigger: Void = onThread { try self.activate(database, pending) }
        let results = try await [first, second]
        try await trigger
        try await gate.value

        for result in results {
            #expect(result.status == 0, "no error, nothing left: \(result.stderr)")
            #expect(!result.stderr.contains("level=error"))
        }
        let summaries = try results.map { try Fixture.decode($0) }
        try expectConsistent(database, summaries)
        #expect(summaries.map(\.alreadyPresent).reduce(0, +) > 0, "\(summaries.map { ($0.created, $0.alreadyPresent) })")
    }

    @Test func twoRestoringBackfillsUndeleteEachRoomOnce() async throws {
        let (database, pending) = try contendedPlatform()
        defer { database.drop() }
        _ = pending
        // Every pair gets a room, then all of them are soft-deleted: 600 blocked pairs.
        _ = try await Fixture.run(database)
        try database.execute("UPDATE chat_rooms SET deleted_at = now() - interval '1 day'")

        let gate = try await closeGate(database, contenders: 2)
        async let first = Fixture.run(database) {
            $0.batchSize = 30
            $0.restoreDeleted = true
        }
        async let second = Fixture.run(database) {
            $0.batchSize = 45
            $0.restoreDeleted = true
        }
        let summaries = try await [first, second]
        try await gate.value
        let restored = summaries.flatMap(\.restoredRooms).map(\.id)
        #expect(restored.count == Self.teachers * Self.students)
        #expect(Set(restored).count == restored.count, "no room restored twice")
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms WHERE deleted_at IS NOT NULL") == "0")
        #expect(summaries.allSatisfy { $0.exitCode == 0 && $0.created == 0 })
        #expect(summaries.map(\.alreadyRestored).reduce(0, +) > 0, "they met: \(summaries.map { ($0.restored, $0.alreadyRestored) })")
    }

    @Test func aPairHeldUncommittedIsSetAsideAndTheOthersAreCreated() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        // Another transaction inserts (T1, S1)'s room and keeps it uncommitted until the backfill has disconnected:
        // the first pair of every batch. The batch gives up on it at once, the pairs are made one at a time, and
        // (T1, S1) waits the session's lock timeout and is set aside: it holds up nothing after it.
        let holder = try await Fixture.holdRoom(database, teacher: ID.teacher(1), student: ID.student(1), while: """
            WHILE NOT EXISTS (SELECT 1 FROM pg_stat_activity
                               WHERE datname = current_database() AND application_name = 'backfill-tests'
                                 AND wait_event_type = 'Lock') LOOP
              IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'the backfill never waited'; END IF;
              PERFORM pg_sleep(0.005);
              PERFORM pg_stat_clear_snapshot();
            END LOOP;
            WHILE EXISTS (SELECT 1 FROM pg_stat_activity
                           WHERE datname = current_database() AND application_name = 'backfill-tests') LOOP
              IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'the backfill never finished'; END IF;
              PERFORM pg_sleep(0.01);
              PERFORM pg_stat_clear_snapshot();
            END LOOP;
            """)

        let events = Mutex<[String]>([])
        let pool = Fixture.pool(database, lockTimeout: .milliseconds(500))
        let summary = try await Backfill(pool: pool, options: BackfillOptions()).run { event in
            switch event {
            case .takenApart: events.withLock { $0.append("taken apart") }
            case .setAside(let pair, _): events.withLock { $0.append("set aside \(pair.teacherID) \(pair.studentID)") }
            default: break
            }
        }
        await pool.shutdown()
        try await holder.value

        #expect(events.withLock { $0 } == ["taken apart", "set aside \(ID.teacher(1)) \(ID.student(1))"])
        #expect(summary.setAside == [TeacherStudentPair(teacherID: ID.teacher(1), studentID: ID.student(1))])
        #expect(summary.created == 2, "the pairs after the held one")
        #expect(summary.remainingMissing == 1, "the held pair: its holder had not committed when the run ended")
        #expect(summary.exitCode == 1)
        #expect(try Fixture.duplicatePairs(database) == 0)
        #expect(try Fixture.livePairs(database) == Fixture.missing.union([Fixture.live]), "the holder's room, committed after")
    }

    @Test func thePlatformsTransactionIsNeverTheDeadlockVictim() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        // The platform activates two bookings in one transaction, in the opposite order to the backfill's:
        // (T2, S3) first, whose room the trigger inserts, then — once the backfill has waited on that room for
        // longer than deadlock_timeout (1 s), so that its own deadlock check has passed — (T1, S1), whose room the
        // backfill inserted first. Had the backfill's batch still held (T1, S1) and waited on (T2, S3), PostgreSQL
        // would cancel the platform's transaction (deadlock detected, 40P01) at its own check a second later.
        let platform = Task {
            try await onThread { () throws -> Void in
                try database.execute("""
                    SET application_name = 'platform';
                    BEGIN;
                    INSERT INTO bookings (lesson_id, student_id, status) VALUES ('\(ID.lesson(2))', '\(ID.student(3))', 'active');
                    DO $$
                    DECLARE deadline timestamptz := clock_timestamp() + interval '60 seconds';
                    BEGIN
                      WHILE NOT EXISTS (SELECT 1 FROM pg_stat_activity
                                         WHERE datname = current_database() AND application_name = 'backfill-tests'
                                           AND wait_event_type = 'Lock'
                                           AND clock_timestamp() - query_start > interval '1200 milliseconds') LOOP
                        IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'the backfill never waited on the room'; END IF;
                        PERFORM pg_sleep(0.01);
                        PERFORM pg_stat_clear_snapshot();
                      END LOOP;
                    END $$;
                    INSERT INTO bookings (lesson_id, student_id, status) VALUES ('\(ID.lesson(1))', '\(ID.student(1))', 'active');
                    COMMIT;
                    """)
            }
        }
        try await waitUntil(timeout: .seconds(30), "the platform's first room is written") { () async throws -> Bool in
            try database.scalar("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = 'platform' AND backend_xid IS NOT NULL
                """) == "1"
        }

        let pool = Fixture.pool(database, lockTimeout: .seconds(5))
        var options = BackfillOptions()
        options.allowBlocked = true  // the fixture's (T3, S4)
        let summary = try await Backfill(pool: pool, options: options).run()
        await pool.shutdown()
        try await platform.value  // throws if PostgreSQL cancelled the platform's transaction

        #expect(summary.created == 2)
        #expect(summary.alreadyPresent == 1, "(T2, S3): the platform's trigger made it")
        #expect(summary.exitCode == 0)
        #expect(try Fixture.duplicatePairs(database) == 0)
        #expect(try Fixture.livePairs(database) == Fixture.missing.union([Fixture.live]))
    }

    /// With no lock timeout (`--database.lock-timeout 0s`) a pair made on its own still waits a bounded time (half the
    /// statement timeout) and is set aside, rather than the statement timeout failing the whole run.
    @Test func withoutALockTimeoutAHeldPairIsStillSetAside() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        let holder = try await Fixture.holdRoom(database, teacher: ID.teacher(1), student: ID.student(1), while: """
            WHILE NOT EXISTS (SELECT 1 FROM chat_rooms WHERE teacher_id = '\(ID.teacher(2))' AND student_id = '\(ID.student(3))') LOOP
              IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'the backfill never went past the held pair'; END IF;
              PERFORM pg_sleep(0.01);
            END LOOP;
            """)
        let pool = Fixture.pool(database, lockTimeout: .zero)
        var options = BackfillOptions()
        options.lockTimeout = .zero
        options.statementTimeout = .seconds(2)
        let summary = try await Backfill(pool: pool, options: options).run()
        await pool.shutdown()
        try await holder.value
        #expect(summary.setAside == [TeacherStudentPair(teacherID: ID.teacher(1), studentID: ID.student(1))])
        #expect(summary.created == 2)
    }

    /// A lock on the whole table (a CREATE INDEX without CONCURRENTLY, as restoring the unique constraint by hand might)
    /// holds every pair: the run stops after a few set aside in a row instead of waiting out each pair of the backlog.
    @Test func aLockOnTheWholeTableStopsTheRunAfterAFewPairs() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        try database.execute("""
            ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;
            INSERT INTO users (id, role) SELECT md5('many' || i)::uuid, 'student' FROM generate_series(1, 20) i;
            INSERT INTO bookings (lesson_id, student_id, status) SELECT '\(ID.lesson(1))', md5('many' || i)::uuid, 'active' FROM generate_series(1, 20) i;
            ALTER TABLE bookings ENABLE TRIGGER booking_create_chat;
            """)
        let locker = Task {
            try await onThread { () throws -> Void in
                try database.execute("""
                    SET application_name = 'backfill-locker';
                    BEGIN;
                    LOCK TABLE chat_rooms IN SHARE MODE;
                    DO $$
                    DECLARE deadline timestamptz := clock_timestamp() + interval '60 seconds';
                    BEGIN
                      PERFORM pg_sleep(0.2);
                      WHILE EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'backfill-tests') LOOP
                        IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'the backfill never stopped'; END IF;
                        PERFORM pg_sleep(0.01);
                        PERFORM pg_stat_clear_snapshot();
                      END LOOP;
                    END $$;
                    COMMIT;
                    """)
            }
        }
        try await waitUntil(timeout: .seconds(30), "the table is locked") { () async throws -> Bool in
            try database.scalar("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'chat_rooms' AND l.mode = 'ShareLock' AND l.granted") == "1"
        }
        let events = Mutex(0)
        let pool = Fixture.pool(database, lockTimeout: .milliseconds(300))
        var options = BackfillOptions()
        options.lockTimeout = .milliseconds(300)
        options.allowBlocked = true
        let summary = try await Backfill(pool: pool, options: options).run { event in
            if case .lockedOut = event { events.withLock { $0 += 1 } }
        }
        await pool.shutdown()
        try await locker.value
        #expect(summary.lockedOut)
        #expect(events.withLock { $0 } == 1)
        #expect(summary.setAside.count == 3, "stopped after three in a row, of 23 missing")
        #expect(summary.created == 0)
        #expect(summary.exitCode == 1)
    }

    /// Restorations wait the session's lock timeout, not a batch's 50 ms: a blocked room another session holds for a
    /// moment (a platform transaction touching it) is restored once it is free.
    @Test func aRestorationWaitsForARoomHeldForAMoment() async throws {
        let database = try Fixture.make()
        defer { database.drop() }
        let holder = Task {
            try await onThread { () throws -> Void in
                try database.execute("""
                    BEGIN;
                    SELECT 1 FROM chat_rooms WHERE id = '\(ID.room(1))' FOR UPDATE;
                    SELECT pg_sleep(1.5);
                    COMMIT;
                    """)
            }
        }
        try await waitUntil(timeout: .seconds(30), "the room is held") { () async throws -> Bool in
            try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(1.5)%' AND state = 'active' AND pid <> pg_backend_pid()") == "1"
        }
        let summary = try await Fixture.run(database) { $0.restoreDeleted = true }
        try await holder.value
        #expect(summary.restored == 1, "\(summary)")
        #expect(summary.exitCode == 0)
    }
}
