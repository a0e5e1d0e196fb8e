import Testing

/// chat_bookings_active, chat_bookings_without_room{reason} and its oldest age, chat_bookings_orphaned.
@Suite struct BookingsWithoutRoomTests {
    /// A soft-deleted room for the pair makes the trigger's ON CONFLICT do nothing: the active booking is
    /// without a live room for reason room_deleted (missing stays 0); its age is the booking's.
    @Test func softDeletedRoomCountsAsRoomDeleted() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 2)
                    + Fixture.lesson(1, teacher: 1, ends: At.fromNow("2 hours"))
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(1), created: At.ago("2 days"), deleted: true)
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active", created: At.ago("20 minutes"))
                    + Fixture.booking(2, lesson: 1, student: ID.student(2), status: "active")
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 1, deleted: 1, createdToday: 1)
        expected["chat_bookings_active"] = 2
        expected["chat_bookings", ["status": "active"]] = 2
        expected.withoutRoom(missing: 0, roomDeleted: 1, oldestRoomDeleted: 1200)
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// A teacher booking their own lesson: the function creates no room, and without_room leaves the booking
    /// out (it is still an active booking).
    @Test func teacherBookingOwnLessonIsExcluded() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 1)
                    + Fixture.lesson(1, teacher: 1, ends: At.fromNow("2 hours"))
                    + Fixture.booking(1, lesson: 1, student: ID.teacher(1), status: "active", created: At.ago("3 hours"))
                    + Fixture.booking(2, lesson: 1, student: ID.student(1), status: "active")
            )
            #expect(try scenario.scalar("SELECT count(*) FROM chat_rooms WHERE teacher_id = student_id") == "0")
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 1, deleted: 0, createdToday: 1)
        expected["chat_bookings_active"] = 2
        expected["chat_bookings", ["status": "active"]] = 2
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// A live, status-active booking of a soft-deleted lesson is orphaned: not an active booking (so not in
    /// without_room either, although its pair has only a soft-deleted room), but chat_bookings{status="active"}
    /// counts it, because that metric is live bookings by status whatever their lesson. A soft-deleted booking
    /// counts nowhere, of a live lesson or of the soft-deleted one.
    @Test func bookingOfSoftDeletedLessonIsOrphaned() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 3)
                    + Fixture.lesson(1, teacher: 1, ends: At.fromNow("2 hours"))
                    + Fixture.lesson(2, teacher: 1, ends: At.fromNow("3 hours"), deleted: true)
                    // The function does not look at deleted_at: it creates (teacher 1, student 1)'s room...
                    + Fixture.booking(1, lesson: 2, student: ID.student(1), status: "active")
                    // ...which is then soft-deleted.
                    + "UPDATE chat_rooms SET deleted_at = \(Fixture.deletedAt) WHERE student_id = '\(ID.student(1))';\n"
                    + Fixture.booking(2, lesson: 1, student: ID.student(2), status: "active")
                    + Fixture.booking(3, lesson: 1, student: ID.student(3), status: "active", deleted: true)
                    + Fixture.booking(4, lesson: 2, student: ID.student(2), status: "active", deleted: true)
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 2, deleted: 1, createdToday: 2)
        expected["chat_bookings_active"] = 1
        expected["chat_bookings", ["status": "active"]] = 2
        expected["chat_bookings_orphaned"] = 1
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// The oldest age is that of the oldest booking WITHOUT a room: older active bookings that have their room,
    /// or whose teacher is the student, do not count.
    @Test func oldestAgeIsTheOldestBookingWithoutRoom() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 3)
                    + Fixture.lesson(1, teacher: 1, ends: At.fromNow("2 hours"))
                    + "ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;\n"
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active", created: At.ago("2 hours"))
                    + Fixture.booking(2, lesson: 1, student: ID.student(2), status: "active", created: At.ago("30 minutes"))
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(3), created: At.ago("5 hours"))
                    + Fixture.booking(3, lesson: 1, student: ID.student(3), status: "active", created: At.ago("5 hours"))
                    + Fixture.booking(4, lesson: 1, student: ID.teacher(1), status: "active", created: At.ago("10 hours"))
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.trigger("booking_create_chat", present: 1, enabled: 0)
        expected.rooms(live: 1, deleted: 0, createdToday: run.liveRoomsCreatedToday)
        expected["chat_bookings_active"] = 4
        expected["chat_bookings", ["status": "active"]] = 4
        expected.withoutRoom(missing: 2, roomDeleted: 0, oldestMissing: 7200)
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// An active booking without created_at and without a room has an unknown age: +Inf, so that the alert fires
    /// (a 0 read as "none" kept ChatCreationBookingsWithoutRoom and check quiet with the backlog there).
    @Test func aBookingWithoutCreatedAtHasAnUnknownAge() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 2)
                    + Fixture.lesson(1, teacher: 1, ends: At.fromNow("2 hours"))
                    + "ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;\n"
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active", created: At.ago("30 minutes"))
                    + Fixture.booking(2, lesson: 1, student: ID.student(2), status: "active", created: "NULL")
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.trigger("booking_create_chat", present: 1, enabled: 0)
        expected.rooms(live: 0, deleted: 0, createdToday: 0)
        expected["chat_bookings_active"] = 2
        expected["chat_bookings", ["status": "active"]] = 2
        expected["chat_bookings_without_room", ["reason": "missing"]] = 2
        expected["chat_bookings_without_room", ["reason": "room_deleted"]] = 0
        expected["chat_bookings_without_room_oldest_seconds", ["reason": "missing"]] = .infinity
        expected["chat_bookings_without_room_oldest_seconds", ["reason": "room_deleted"]] = 0
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// A pair's series of lessons is a booking each: without_room counts bookings, not pairs, and the oldest age
    /// is the oldest booking of any pair without a room, wherever it sits in its series.
    @Test func everyBookingOfAPairWithoutRoomCounts() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 2, students: 2)
                    + Fixture.lesson(1, teacher: 1, ends: At.fromNow("2 hours"))
                    + Fixture.lesson(2, teacher: 1, ends: At.fromNow("7 days"))
                    + Fixture.lesson(3, teacher: 1, ends: At.fromNow("14 days"))
                    + Fixture.lesson(4, teacher: 2, ends: At.fromNow("3 hours"))
                    + Fixture.lesson(5, teacher: 2, ends: At.fromNow("10 days"))
                    + "ALTER TABLE bookings DISABLE TRIGGER booking_create_chat;\n"
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active", created: At.ago("1 hour"))
                    + Fixture.booking(2, lesson: 2, student: ID.student(1), status: "active", created: At.ago("3 hours"))
                    + Fixture.booking(3, lesson: 3, student: ID.student(1), status: "active", created: At.ago("2 hours"))
                    + Fixture.room(1, teacher: ID.teacher(2), student: ID.student(2), created: At.ago("2 days"), deleted: true)
                    + Fixture.booking(4, lesson: 4, student: ID.student(2), status: "active", created: At.ago("30 minutes"))
                    + Fixture.booking(5, lesson: 5, student: ID.student(2), status: "active", created: At.ago("40 minutes"))
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.trigger("booking_create_chat", present: 1, enabled: 0)
        expected.rooms(live: 0, deleted: 1, createdToday: 0)
        expected["chat_bookings_active"] = 5
        expected["chat_bookings", ["status": "active"]] = 5
        expected.withoutRoom(missing: 3, roomDeleted: 2, oldestMissing: 10800, oldestRoomDeleted: 2400)
        expected.lessons(completed: 0, upcoming: 5, noEndTime: 0)
        expected.verify(run.metrics)
    }
}
