import Testing

/// chat_lessons{state} and chat_bookings{status}, and a room the trigger creates after the pair's lesson ended.
@Suite struct LessonsAndBookingsTests {
    /// Live lessons: two completed, one upcoming, one without end time (a soft-deleted one is left out). Live
    /// bookings by status, a NULL status and an empty one together as status="", and a soft-deleted booking left out.
    ///
    /// The active booking (lesson 3, upcoming) makes the trigger create the room of (teacher 1, student 1) now.
    /// That pair had lesson 2, which ended a day earlier, but its booking by student 1 was cancelled: a cancelled
    /// booking never needed a room, so the room is on time, not late (lag series at 0).
    @Test func lessonsByStateAndBookingsByStatus() async throws {
        let (s1, s2, s3) = (ID.student(1), ID.student(2), ID.student(3))
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 3)
                    + Fixture.lesson(1, teacher: 1, ends: At.ago("1 hour"))
                    + Fixture.lesson(2, teacher: 1, ends: At.ago("1 day"))
                    + Fixture.lesson(3, teacher: 1, ends: At.fromNow("1 hour"))
                    + Fixture.lesson(4, teacher: 1, ends: nil)
                    + Fixture.lesson(5, teacher: 1, ends: At.ago("1 hour"), deleted: true)
                    + Fixture.booking(1, lesson: 3, student: s1, status: "active")
                    + Fixture.booking(2, lesson: 1, student: s2, status: "completed")
                    + Fixture.booking(3, lesson: 2, student: s1, status: "cancelled")
                    + Fixture.booking(4, lesson: 1, student: s3, status: nil)
                    + Fixture.booking(5, lesson: 3, student: s2, status: "cancelled", deleted: true)
                    + Fixture.booking(6, lesson: 4, student: s3, status: "pending")
                    + Fixture.booking(7, lesson: 4, student: s2, status: "")
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.lessons(completed: 2, upcoming: 1, noEndTime: 1)
        for (status, count) in ["active": 1.0, "completed": 1, "cancelled": 1, "": 2, "pending": 1] {
            expected["chat_bookings", ["status": status]] = count
        }
        expected.rooms(live: 1, deleted: 0, createdToday: 1)
        expected["chat_bookings_active"] = 1
        expected.verify(run.metrics)
    }
}
