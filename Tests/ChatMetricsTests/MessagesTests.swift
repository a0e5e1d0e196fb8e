import Testing

/// chat_rooms_with_messages, chat_messages_pending_moderation (and its oldest age), chat_messages_created{window="1h"}.
@Suite struct MessagesTests {
    /// Room 1 holds live messages; room 2 only a soft-deleted one; room 3 is soft-deleted with a live message.
    /// Pending: live ones 30m and 10m old (a soft-deleted one 2h old would otherwise be the oldest, and so would room
    /// 3's, 3h old, which nobody can see in a deleted room). Created in
    /// the last hour: the two pending, a delivered one 20m old, and room 3's message 5m old (message liveness
    /// counts, not the room's); a blocked one 2h old and the soft-deleted ones do not.
    @Test func moderationBacklogAndVolume() async throws {
        let (t1, s1, s2, s3) = (ID.teacher(1), ID.student(1), ID.student(2), ID.student(3))
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 3)
                    + Fixture.room(1, teacher: t1, student: s1, created: At.now)
                    + Fixture.room(2, teacher: t1, student: s2, created: At.now)
                    + Fixture.room(3, teacher: t1, student: s3, created: At.now, deleted: true)
                    + Fixture.message(room: 1, sender: s1, status: "pending_moderation", created: At.ago("30 minutes"))
                    + Fixture.message(room: 1, sender: t1, status: "pending_moderation", created: At.ago("10 minutes"))
                    + Fixture.message(room: 1, sender: s1, status: "pending_moderation", created: At.ago("2 hours"), deleted: true)
                    + Fixture.message(room: 1, sender: t1, status: "delivered", created: At.ago("20 minutes"))
                    + Fixture.message(room: 1, sender: s1, status: "blocked", created: At.ago("2 hours"))
                    + Fixture.message(room: 1, sender: t1, status: "delivered", created: At.ago("5 minutes"), deleted: true)
                    + Fixture.message(room: 2, sender: s2, status: "delivered", created: At.ago("5 minutes"), deleted: true)
                    + Fixture.message(room: 3, sender: s3, status: "delivered", created: At.ago("5 minutes"))
                    + Fixture.message(room: 3, sender: s3, status: "pending_moderation", created: At.ago("3 hours"))
                    // Dated a day ahead (bad data): in no window (room 2 has a live message now, though).
                    + Fixture.message(room: 2, sender: s2, status: "delivered", created: At.fromNow("1 day"))
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 2, deleted: 1, createdToday: 2)
        expected["chat_rooms_with_messages"] = 2
        expected["chat_messages_pending_moderation"] = 2
        expected.age("chat_messages_pending_moderation_oldest_seconds", atLeast: 1800)
        expected["chat_messages_created", ["window": "1h"]] = 4
        // Room 1 has live messages of the last day; room 2 only a soft-deleted one; room 3 is soft-deleted.
        expected["chat_rooms_active", ["window": "24h"]] = 1
        expected.verify(run.metrics)
    }

    /// A pending message without created_at has an unknown age: +Inf, so that the backlog alert fires, never 0.
    @Test func aPendingMessageWithoutCreatedAtHasAnUnknownAge() async throws {
        let (t1, s1) = (ID.teacher(1), ID.student(1))
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 1)
                    + Fixture.room(1, teacher: t1, student: s1, created: At.now)
                    + Fixture.message(room: 1, sender: s1, status: "pending_moderation", created: At.ago("10 minutes"))
                    + Fixture.message(room: 1, sender: s1, status: "pending_moderation", created: "NULL")
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 1, deleted: 0, createdToday: 1)
        expected["chat_rooms_with_messages"] = 1
        expected["chat_messages_pending_moderation"] = 2
        expected["chat_messages_pending_moderation_oldest_seconds"] = .infinity
        expected["chat_messages_created", ["window": "1h"]] = 1
        expected["chat_rooms_active", ["window": "24h"]] = 1
        expected.verify(run.metrics)
    }
}
