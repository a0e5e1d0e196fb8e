import PostgresClient
import Testing

/// Durations between two of the platform's timestamps (columns without time zone, written as wall-clock times in the
/// platform's zone) are real elapsed time across a daylight-saving change, read in that zone (--database.timezone).
@Suite struct DaylightSavingTests {
    /// A zone on UTC whose clocks went forward one hour 30 minutes ago (a POSIX rule, so that the change is always
    /// within the windows, whenever the test runs), and back half a year later.
    private static func zoneThatSprangForwardHalfAnHourAgo(_ scenario: ScenarioDatabase) throws -> String {
        try scenario.scalar("""
            SELECT 'XST0XDT,' || (extract(doy FROM t)::int - 1) || '/' || to_char(t, 'HH24:MI:SS')
                   || ',' || ((extract(doy FROM t)::int - 1 + 180) % 365) || '/0'
              FROM (SELECT (now() - interval '30 minutes') AT TIME ZONE 'UTC' AS t) AS change
            """)
    }

    /// The platform writes in that zone: a lesson ended 50 minutes ago (before the change) and its pair's room was
    /// created 10 minutes ago (after it), 2 400 s later; a chat operation ran over the same 40 minutes. The
    /// wall-clock times lie 100 minutes apart: subtracted as they are, the room would read 6 000 s late, past the
    /// one-hour slow threshold, and the operation 6 000 s long.
    @Test func lagAndResponseTimeAcrossAClockChangeAreElapsedTime() async throws {
        let scenario = try ScenarioDatabase.create()
        defer { scenario.drop() }
        let zone = try Self.zoneThatSprangForwardHalfAnHourAgo(scenario)
        func local(_ ago: String) -> String { "((now() - interval '\(ago)') AT TIME ZONE \(Fixture.literal(zone)))" }
        try scenario.run(
            Fixture.users(teachers: 1, students: 1)
                + Fixture.lesson(1, teacher: 1, ends: local("50 minutes"))
                + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "completed", created: local("3 hours"), updated: local("3 hours"))
                + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(1), created: local("10 minutes"))
                + """
                INSERT INTO audit_logs (action, resource, status, created_at, updated_at)
                VALUES ('chat.message.send', 'message', 'success', \(local("50 minutes")), \(local("10 minutes")));

                """)
        #expect(try scenario.scalar("SELECT extract(epoch FROM updated_at - created_at)::int FROM audit_logs") == "6000")

        var session = SessionSettings()
        session.timeZone = zone
        let metrics = try await scenario.collect(try DefaultCollectorsFile.with([:]), session: session)
        #expect(metrics.value("chat_rooms_created_late", ["window": "24h"]) == 1)
        #expect(metrics.value("chat_room_creation_lag_max_seconds", ["window": "24h"]) == 2400)
        #expect(metrics.value("chat_rooms_created_slow", ["window": "24h"]) == 0)
        #expect(metrics.value("chat_audit_response_avg_seconds", ["action": "chat.message.send", "window": "1h"]) == 2400)
        #expect(metrics.value("chat_timestamps_ahead_seconds") == 0)
    }
}
