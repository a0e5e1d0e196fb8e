import PostgresClient
import Testing

/// chat_timestamps_ahead_seconds: whether the platform's timestamps are read in the zone they were written in.
@Suite struct ClockTests {
    /// A platform writing UTC wall-clock times (the scenario's rows: now, a minute ago), read by a session whose
    /// TimeZone is five hours behind UTC (`--database.timezone=America/New_York` in winter, here the fixed
    /// Etc/GMT+5): now() is 5 h earlier there, so the newest rows read as 5 h ahead. Read in UTC, they are not.
    /// An audit row of another action (no audit series), a live room and a live message; each table alone is
    /// enough, so each is tried alone too.
    @Test(arguments: ["audit_logs", "messages", "chat_rooms"])
    func timestampsWrittenInAZoneAheadOfTheSessionReadAsAhead(table: String) async throws {
        let scenario = try ScenarioDatabase.create()
        defer { scenario.drop() }
        var sql = Fixture.users(teachers: 1, students: 1)
            + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(1), created: table == "chat_rooms" ? At.now : At.ago("3 days"))
        switch table {
        case "audit_logs": sql += Fixture.audit("user.login", "success", at: At.now)
        case "messages": sql += Fixture.message(room: 1, sender: ID.student(1), status: "delivered", created: At.now)
        default: break
        }
        try scenario.run(sql)
        let collectors = try DefaultCollectorsFile.with([:])

        var behind = SessionSettings()
        behind.timeZone = "Etc/GMT+5"
        let zoned = try await scenario.collect(collectors, session: behind)
        let utc = try await scenario.collect(collectors)

        let ahead = try #require(zoned.value("chat_timestamps_ahead_seconds"))
        #expect(ahead > 5 * 3600 - ExpectedMetrics.ageSlack && ahead <= 5 * 3600, "\(ahead)")
        #expect(utc.value("chat_timestamps_ahead_seconds") == 0)
    }

    /// What does not count: a soft-deleted room or message dated ahead, and a row dated more than 15 hours ahead (a
    /// data error; no zone is that far off). A live room 2 hours ahead does, read in UTC.
    @Test func deletedRowsAndImpossibleDatesDoNotCount() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 2, students: 1)
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(1), created: At.fromNow("4 hours"), deleted: true)
                    + Fixture.message(room: 1, sender: ID.student(1), status: "delivered", created: At.fromNow("4 hours"), deleted: true)
                    + Fixture.audit("user.login", "success", at: At.fromNow("20 hours"))
                    + Fixture.room(2, teacher: ID.teacher(2), student: ID.student(1), created: At.fromNow("2 hours")))
        }
        let ahead = try #require(run.metrics.value("chat_timestamps_ahead_seconds"))
        #expect(ahead > 2 * 3600 - ExpectedMetrics.ageSlack && ahead <= 2 * 3600, "\(ahead)")
    }

    /// The hour repeated when daylight saving ends: in a zone one hour ahead of UTC whose clocks go back in 30
    /// minutes (a POSIX rule, so that it is so whenever the test runs), a room written now reads a wall-clock time
    /// that comes again after the change. Taken as PostgreSQL takes it, at its later instant, it would read an hour
    /// ahead, and ChatExporterTimeZoneMismatch would fire; it is the time it was written at, ahead by nothing.
    @Test func theFirstPassOfARepeatedHourIsNotAhead() async throws {
        let scenario = try ScenarioDatabase.create()
        defer { scenario.drop() }
        let zone = try scenario.scalar("""
            SELECT 'XST0XDT,' || ((extract(doy FROM t)::int - 1 + 185) % 365) || '/0,' || (extract(doy FROM t)::int - 1)
                   || '/' || to_char(t, 'HH24:MI:SS')
              FROM (SELECT (now() + interval '90 minutes') AT TIME ZONE 'UTC' AS t) AS change
            """)
        try scenario.run(
            Fixture.users(teachers: 1, students: 1)
                + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(1), created: "(now() AT TIME ZONE \(Fixture.literal(zone)))"))
        #expect(try scenario.scalar("""
            SET TimeZone = \(Fixture.literal(zone)); SELECT extract(epoch FROM created_at::timestamptz - now())::int / 60 FROM chat_rooms
            """) == "60")
        var session = SessionSettings()
        session.timeZone = zone
        let metrics = try await scenario.collect(try DefaultCollectorsFile.with([:]), session: session)
        #expect(metrics.value("chat_timestamps_ahead_seconds") == 0)
    }
}
