import PostgresClient
import Testing

/// chat_rooms_created_today: live rooms created since midnight in the configured zone.
@Suite struct CreatedTodayTests {
    /// Rooms one minute either side of the midnight that started today in `zone` (Z) and of the UTC midnight that
    /// started today (U), computed by the database from the same now() and stored as the UTC wall-clock time
    /// the column holds (the wall-clock time in `wallClock`, the zone the platform writes in), plus a soft-deleted
    /// room a minute after Z.
    private static func rooms(zone: String, wallClock: String = "UTC") -> String {
        let zone = Fixture.literal(zone)
        return """
            INSERT INTO chat_rooms (id, teacher_id, student_id, created_at, deleted_at)
            SELECT v.id::uuid, '\(ID.teacher(1))', v.student::uuid, v.at AT TIME ZONE \(Fixture.literal(wallClock)), v.deleted
              FROM (SELECT date_trunc('day', now() AT TIME ZONE \(zone)) AT TIME ZONE \(zone) AS z,
                           date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS u) AS midnight,
                   LATERAL (VALUES ('\(ID.room(1))', '\(ID.student(1))', midnight.z - interval '1 minute', NULL::timestamp),
                                   ('\(ID.room(2))', '\(ID.student(2))', midnight.z + interval '1 minute', NULL),
                                   ('\(ID.room(3))', '\(ID.student(3))', midnight.u - interval '1 minute', NULL),
                                   ('\(ID.room(4))', '\(ID.student(4))', midnight.u + interval '1 minute', NULL),
                                   ('\(ID.room(5))', '\(ID.student(5))', midnight.z + interval '2 minutes', \(Fixture.deletedAt))
                           ) AS v (id, student, at, deleted);

            """
    }

    /// With setting timezone = `zone`, only the room after the zone's midnight counts of the pair around Z; with
    /// the default (null: the session's zone, here UTC) only the one after U counts of the pair around U. Left at
    /// its default while the platform writes in `zone` and the session's TimeZone (--database.timezone) says so,
    /// the setting follows the session: the same instants, the zone's day again. The other pair lies wholly on one side:
    /// for Europe/Moscow (UTC+3, no DST) U is 3 hours after Z while the UTC time of day is before 21:00, and 21
    /// hours before it from 21:00 on; the expectation reads that order from the database. The soft-deleted room
    /// never counts. Both configurations run on the same rows; if either midnight passes while the test runs,
    /// the scenario is repeated once on a new database.
    ///
    /// Pacific/Kiritimati (UTC+14) and Etc/GMT+12 (POSIX sign: UTC-12) make sure that at any time of day one zone
    /// is on another date than UTC, so a query that took the UTC date for the zone's would fail whenever it runs.
    @Test(arguments: ["Europe/Moscow", "Pacific/Kiritimati", "Etc/GMT+12"])
    func dayStartsAtMidnightInTheConfiguredZone(zone: String) async throws {
        let zoned = try DefaultCollectorsFile.with(["timezone": zone])
        let utc = try DefaultCollectorsFile.with([:])
        for _ in 0..<2 {
            let scenario = try ScenarioDatabase.create()
            defer { scenario.drop() }
            let dayBefore = try scenario.dayStarts(zone: zone)
            try scenario.run(Fixture.users(teachers: 1, students: 5) + Self.rooms(zone: zone))
            let zonedMetrics = try await scenario.collect(zoned)
            let utcMetrics = try await scenario.collect(utc)
            let zonedPlatform = try ScenarioDatabase.create()
            defer { zonedPlatform.drop() }
            try zonedPlatform.run(Fixture.users(teachers: 1, students: 5) + Self.rooms(zone: zone, wallClock: zone))
            var zonedSession = SessionSettings()
            zonedSession.timeZone = zone
            let sessionZonedMetrics = try await zonedPlatform.collect(utc, session: zonedSession)
            let zoneMidnightFirst = try scenario.scalar(
                """
                SELECT date_trunc('day', now() AT TIME ZONE \(Fixture.literal(zone))) AT TIME ZONE \(Fixture.literal(zone))
                     < date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                """
            ) == "t"
            guard try scenario.dayStarts(zone: zone) == dayBefore else { continue }

            var expected = ExpectedMetrics.emptyDatabase
            // In the minute after a midnight, the room written a minute after it is still ahead of now().
            expected.ahead(by: 60)
            expected.rooms(live: 4, deleted: 1, createdToday: zoneMidnightFirst ? 3 : 1)
            expected.verify(zonedMetrics)
            expected.verify(sessionZonedMetrics)
            expected.rooms(live: 4, deleted: 1, createdToday: zoneMidnightFirst ? 1 : 3)
            expected.verify(utcMetrics)
            return
        }
        Issue.record("a midnight passed during both attempts")
    }
}
