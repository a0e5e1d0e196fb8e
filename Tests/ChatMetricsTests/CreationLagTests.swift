import Testing

/// chat_room_creation_lag_{avg,max}_seconds, chat_rooms_created_late and chat_rooms_created_slow per window.
@Suite struct CreationLagTests {
    /// Rooms and lessons whose lags are known exactly (every offset is from the same transaction's now()).
    ///
    /// Counted (late): room 1 lag 600 s, room 2 lag 7200 s (its pair's EARLIEST ended lesson; a later one would
    /// give 3600, and neither an even earlier lesson of the teacher booked by another student nor an earlier one
    /// of the pair whose booking was cancelled must count), room 3
    /// lag exactly 3600 s (late, and equal to the default threshold, so not slow), all within 24h; room 4 lag
    /// 5400 s, created 2 days ago, so in 7d only.
    /// Not counted: room 5 created before its lesson ended (on time), room 6 whose only ended lesson is
    /// soft-deleted, room 7 whose only booking for that teacher is soft-deleted (another student's live booking
    /// of the same lesson does not count), room 8 created 8 days ago, room 9 soft-deleted, room 10 whose lesson
    /// has no end time, room 11 created when its pair's booking was confirmed, after the lesson (the booking's
    /// updated_at), and room 12 created when its pair's booking was inserted, after the lesson (created_at): both
    /// came at the trigger's moment, on time (as late rooms they would lag 7200 and 3600 s). Counted: room 13, created
    /// an hour ago when its pair booked an upcoming lesson, while an earlier booking of the pair, whose lesson ended
    /// 4200 s before the room, never had one (the trigger was down): the new booking does not excuse it, lag 4200.
    private static let scenario: String = {
        let (t1, t2, t3) = (ID.teacher(1), ID.teacher(2), ID.teacher(3))
        let (s1, s2, s3, s4, s5, s6) = (ID.student(1), ID.student(2), ID.student(3), ID.student(4), ID.student(5), ID.student(6))
        func booking(_ number: Int, lesson: Int, _ student: String, deleted: Bool = false) -> String {
            Fixture.booking(number, lesson: lesson, student: student, status: "completed", deleted: deleted)
        }
        return Fixture.users(teachers: 3, students: 6)
            // Room 1 (t1, s1): lag 600.
            + Fixture.lesson(1, teacher: 1, ends: At.ago("4200 seconds")) + booking(1, lesson: 1, s1)
            + Fixture.room(1, teacher: t1, student: s1, created: At.ago("3600 seconds"))
            // Room 2 (t1, s2): lessons 2 and 3 ended 4h and 3h ago; lesson 4, ended 10h ago, is student 3's.
            + Fixture.lesson(2, teacher: 1, ends: At.ago("4 hours")) + booking(2, lesson: 2, s2)
            + Fixture.lesson(3, teacher: 1, ends: At.ago("3 hours")) + booking(3, lesson: 3, s2)
            + Fixture.lesson(4, teacher: 1, ends: At.ago("10 hours")) + booking(4, lesson: 4, s3)
            + Fixture.lesson(14, teacher: 1, ends: At.ago("6 hours"))
            + Fixture.booking(15, lesson: 14, student: s2, status: "cancelled")
            + Fixture.room(2, teacher: t1, student: s2, created: At.ago("2 hours"))
            // Room 3 (t1, s4): lag exactly 3600.
            + Fixture.lesson(5, teacher: 1, ends: At.ago("90 minutes")) + booking(5, lesson: 5, s4)
            + Fixture.room(3, teacher: t1, student: s4, created: At.ago("30 minutes"))
            // Room 4 (t2, s1): lag 5400, two days old.
            + Fixture.lesson(6, teacher: 2, ends: At.ago("2 days 5400 seconds")) + booking(6, lesson: 6, s1)
            + Fixture.room(4, teacher: t2, student: s1, created: At.ago("2 days"))
            // Room 5 (t2, s2): created 3h ago, its lesson ended 1h ago.
            + Fixture.lesson(7, teacher: 2, ends: At.ago("1 hour")) + booking(7, lesson: 7, s2)
            + Fixture.room(5, teacher: t2, student: s2, created: At.ago("3 hours"))
            // Room 6 (t2, s3): the ended lesson is soft-deleted, the live one has not ended.
            + Fixture.lesson(8, teacher: 2, ends: At.ago("2 hours"), deleted: true) + booking(8, lesson: 8, s3)
            + Fixture.lesson(9, teacher: 2, ends: At.fromNow("2 hours")) + booking(9, lesson: 9, s3)
            + Fixture.room(6, teacher: t2, student: s3, created: At.ago("1 hour"))
            // Room 7 (t3, s1): student 1's booking of lesson 10 is soft-deleted; student 2's is live.
            + Fixture.lesson(10, teacher: 3, ends: At.ago("3 hours"))
            + booking(10, lesson: 10, s1, deleted: true) + booking(11, lesson: 10, s2)
            + Fixture.room(7, teacher: t3, student: s1, created: At.ago("1 hour"))
            // Room 8 (t3, s3): 8 days old.
            + Fixture.lesson(11, teacher: 3, ends: At.ago("9 days")) + booking(12, lesson: 11, s3)
            + Fixture.room(8, teacher: t3, student: s3, created: At.ago("8 days"))
            // Room 9 (t3, s4): soft-deleted.
            + Fixture.lesson(12, teacher: 3, ends: At.ago("2 hours")) + booking(13, lesson: 12, s4)
            + Fixture.room(9, teacher: t3, student: s4, created: At.ago("1 hour"), deleted: true)
            // Room 10 (t2, s4): the lesson has no end time.
            + Fixture.lesson(13, teacher: 2, ends: nil) + booking(14, lesson: 13, s4)
            + Fixture.room(10, teacher: t2, student: s4, created: At.ago("1 hour"))
            // Room 11 (t1, s5): booked 5 days ahead, confirmed (updated_at) an hour ago, 2 hours after the lesson ended.
            + Fixture.lesson(15, teacher: 1, ends: At.ago("3 hours"))
            + Fixture.booking(16, lesson: 15, student: s5, status: "completed", created: At.ago("5 days"), updated: At.ago("1 hour"))
            + Fixture.room(11, teacher: t1, student: s5, created: At.ago("1 hour"))
            // Room 12 (t1, s6): booked (inserted) 2 hours ago, an hour after the lesson ended; updated since (now).
            + Fixture.lesson(16, teacher: 1, ends: At.ago("3 hours"))
            + Fixture.booking(17, lesson: 16, student: s6, status: "completed", created: At.ago("2 hours"), updated: At.now)
            + Fixture.room(12, teacher: t1, student: s6, created: At.ago("2 hours"))
            // Room 13 (t2, s5): lesson 17 ended 7800 s ago (booked 3 days ago, never got its room); the room came an
            // hour ago with the booking of lesson 18, upcoming.
            + Fixture.lesson(17, teacher: 2, ends: At.ago("7800 seconds"))
            + Fixture.booking(18, lesson: 17, student: s5, status: "completed", created: At.ago("3 days"), updated: At.ago("3 days"))
            + Fixture.lesson(18, teacher: 2, ends: At.fromNow("1 day"))
            + Fixture.room(13, teacher: ID.teacher(2), student: s5, created: At.ago("1 hour"))
            + Fixture.booking(19, lesson: 18, student: s5, status: "active", created: At.ago("1 hour"), updated: At.ago("1 hour"))
    }()

    /// A slow-threshold setting and the slow counts it gives: lags within 24h are 600, 7200, 3600 and 4200; within
    /// 7d also 5400. "Slow" is strictly more than the threshold.
    struct Threshold: Sendable, CustomTestStringConvertible {
        let setting: String?
        let slow24h: Double
        let slow7d: Double
        var testDescription: String { "slow_threshold_seconds=\(setting ?? "default (3600)")" }
    }

    @Test(arguments: [
        Threshold(setting: nil, slow24h: 2, slow7d: 3),
        Threshold(setting: "3000", slow24h: 3, slow7d: 4),
        Threshold(setting: "7200", slow24h: 0, slow7d: 0),
        Threshold(setting: "599", slow24h: 4, slow7d: 5),
    ])
    func lagsAreExactPerWindow(threshold: Threshold) async throws {
        let settings = threshold.setting.map { ["slow_threshold_seconds": $0] } ?? [:]
        let run = try await collectScenario(settings: settings) { scenario in
            try scenario.run(Self.scenario)
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.lag("24h", avg: 3900, max: 7200, late: 4, slow: threshold.slow24h)
        expected.lag("7d", avg: 4200, max: 7200, late: 5, slow: threshold.slow7d)
        // Rooms are back-dated by hours: which of them fall on today depends on the time of day.
        expected.rooms(live: 12, deleted: 1, createdToday: run.liveRoomsCreatedToday)
        expected["chat_bookings", ["status": "completed"]] = 16
        expected["chat_bookings", ["status": "cancelled"]] = 1
        expected["chat_bookings", ["status": "active"]] = 1
        expected["chat_bookings_active"] = 1
        expected.lessons(completed: 14, upcoming: 2, noEndTime: 1)
        expected.verify(run.metrics)
    }

    /// A pair's history is not a lag. Pair (t1, s1) completed a lesson 40 days ago and never had a room (it was before
    /// the trigger existed); it books an upcoming lesson now and the trigger makes its room: on time. Pair (t1, s2)'s
    /// lesson ended 6 days ago without a room, which a backfill made an hour ago: late by 6 days less an hour, within
    /// the 7 days a lesson counts for.
    @Test func lessonsEndedMoreThanAWeekBeforeTheRoomAreHistory() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 2)
                    + Fixture.lesson(1, teacher: 1, ends: At.ago("40 days"))
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "completed", created: At.ago("41 days"), updated: At.ago("40 days"))
                    + Fixture.lesson(2, teacher: 1, ends: At.fromNow("2 days"))
                    + Fixture.booking(2, lesson: 2, student: ID.student(1), status: "active")
                    + Fixture.lesson(3, teacher: 1, ends: At.ago("6 days"))
                    + Fixture.booking(3, lesson: 3, student: ID.student(2), status: "completed", created: At.ago("7 days"), updated: At.ago("6 days"))
                    + Fixture.room(2, teacher: ID.teacher(1), student: ID.student(2), created: At.ago("1 hour")))
        }
        #expect(run.metrics.value("chat_rooms", ["state": "live"]) == 2)
        #expect(run.metrics.value("chat_rooms_created_late", ["window": "24h"]) == 1)
        #expect(run.metrics.value("chat_room_creation_lag_max_seconds", ["window": "24h"]) == 514_800)  // 6 days less an hour
        #expect(run.metrics.value("chat_room_creation_lag_avg_seconds", ["window": "24h"]) == 514_800)  // 6 days less an hour
    }
}
