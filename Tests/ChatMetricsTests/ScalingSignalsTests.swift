import Testing

/// The chat backend checklist's scaling signals: response time from audit_logs, message volume per 5 minutes,
/// active conversations.
@Suite struct ScalingSignalsTests {
    /// Successful chat.message.send rows with known durations: 1, 2, 3, 4 and 100 s in the last 5 minutes (mean 22,
    /// interpolated p95 = 4 + 0.8 × 96 = 80.8), plus 10 s 30 minutes ago and 30 s 10 hours ago. A failure, a row
    /// without updated_at and an action outside `chat.%` are left out.
    @Test func responseTimeMeanAndPercentilePerWindow() async throws {
        let send = "chat.message.send"
        func timed(_ seconds: Int, ago: String, status: String = "success", action: String = "chat.message.send") -> String {
            """
            INSERT INTO audit_logs (action, resource, status, created_at, updated_at)
            VALUES ('\(action)', 'chat', '\(status)', \(At.ago(ago)), \(At.ago(ago)) + interval '\(seconds) seconds');

            """
        }
        let run = try await collectScenario { scenario in
            try scenario.run(
                timed(1, ago: "4 minutes") + timed(2, ago: "3 minutes") + timed(3, ago: "2 minutes")
                    + timed(4, ago: "2 minutes") + timed(100, ago: "1 minute")
                    + timed(10, ago: "30 minutes") + timed(30, ago: "10 hours")
                    + timed(500, ago: "1 minute", status: "failure")
                    + timed(700, ago: "1 minute", action: "user.login")
                    + "INSERT INTO audit_logs (action, resource, status, created_at, updated_at) VALUES ('\(send)', 'chat', 'success', \(At.ago("2 minutes")), NULL);\n"
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.audit(send, "5m", success: 6, failure: 1)
        expected.audit(send, "30m", success: 6, failure: 1)
        expected.audit(send, "1h", success: 7, failure: 1)
        expected.audit(send, "2h", success: 7, failure: 1)
        expected.audit(send, "6h", success: 7, failure: 1)
        expected.audit(send, "24h", success: 8, failure: 1)
        let labels = { (window: String) in ["action": send, "window": window] }
        expected["chat_audit_response_avg_seconds", labels("5m")] = 22
        expected["chat_audit_response_p95_seconds", labels("5m")] = 80.8
        expected["chat_audit_response_avg_seconds", labels("1h")] = 20
        // 1h: 1, 2, 3, 4, 10, 100 → position 0.95 × 5 = 4.75 → 10 + 0.75 × 90 = 77.5
        expected["chat_audit_response_p95_seconds", labels("1h")] = 77.5
        expected["chat_audit_response_avg_seconds", labels("24h")] = 150.0 / 7.0
        // 24h: 1, 2, 3, 4, 10, 30, 100 → position 0.95 × 6 = 5.7 → 30 + 0.7 × 70 = 79
        expected["chat_audit_response_p95_seconds", labels("24h")] = 79
        expected.verify(run.metrics, tolerance: 1e-9)
    }

    /// Messages 4m and 6m old sit on either side of the 5-minute window's edge; 58m and 62m on either side of the
    /// hour's (a minute of margin: the collection may run well after the scenario was written on a busy machine). Active conversations: rooms with a live message of the last 24 hours (a room whose only recent
    /// message is soft-deleted, or whose message is 25 hours old, is not active; a soft-deleted room is not either).
    @Test func volumeAtTheWindowEdgesAndActiveConversations() async throws {
        let (t1, s1, s2, s3, s4) = (ID.teacher(1), ID.student(1), ID.student(2), ID.student(3), ID.student(4))
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 4)
                    + Fixture.room(1, teacher: t1, student: s1, created: At.ago("2 days"))
                    + Fixture.room(2, teacher: t1, student: s2, created: At.ago("2 days"))
                    + Fixture.room(3, teacher: t1, student: s3, created: At.ago("2 days"))
                    + Fixture.room(4, teacher: t1, student: s4, created: At.ago("2 days"), deleted: true)
                    + Fixture.message(room: 1, sender: s1, status: "delivered", created: At.ago("4 minutes"))
                    + Fixture.message(room: 1, sender: t1, status: "delivered", created: At.ago("6 minutes"))
                    + Fixture.message(room: 1, sender: s1, status: "delivered", created: At.ago("58 minutes"))
                    + Fixture.message(room: 1, sender: t1, status: "delivered", created: At.ago("62 minutes"))
                    + Fixture.message(room: 2, sender: s2, status: "delivered", created: At.ago("1 minute"), deleted: true)
                    + Fixture.message(room: 3, sender: s3, status: "delivered", created: At.ago("25 hours"))
                    + Fixture.message(room: 4, sender: s4, status: "delivered", created: At.ago("1 minute"))
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 3, deleted: 1, createdToday: 0)
        expected["chat_rooms_with_messages"] = 2
        expected["chat_messages_created", ["window": "5m"]] = 2  // room 1's 4-minute-old message and room 4's (message liveness counts)
        expected["chat_messages_created", ["window": "1h"]] = 4
        expected["chat_rooms_active", ["window": "24h"]] = 1
        expected.verify(run.metrics)
    }
}
