import CollectorConfig
import ExporterCore
import Exposition
import PostgresClient
import TestSupport
import Testing

/// A fresh database with the platform schema (and no rows) for one scenario.
struct ScenarioDatabase {
    let database: TestDatabase

    static func create() throws -> ScenarioDatabase {
        ScenarioDatabase(database: try TestPostgres.shared().createDatabase())
    }

    /// Runs the scenario's SQL in ONE transaction with the session TimeZone set to UTC, the zone the columns
    /// are written in: `now()` is then the same instant in every statement, so lags written as offsets from
    /// it are exact, and `DEFAULT now()` columns hold UTC wall-clock time as the exporter's sessions read them.
    func run(_ sql: String) throws {
        try database.execute("SET TimeZone = 'UTC';\nBEGIN;\n\(sql)\nCOMMIT;\n")
    }

    /// The first column of the first row of `sql`, run with the session TimeZone UTC.
    func scalar(_ sql: String) throws -> String {
        try database.scalar("SET TimeZone = 'UTC';\n\(sql)")
    }

    /// Runs every collector of `collectors` once, in-process, on a pool with `session` settings (by default the
    /// exporter's: TimeZone UTC, read-only), and returns every sample. A failed collector fails the test: its
    /// failure is printed and recorded, and this throws. At most 4 collections run at once (``CollectionSlots``).
    func collect(_ collectors: CollectorsFile, session: SessionSettings = SessionSettings()) async throws -> CollectedMetrics {
        await CollectionSlots.shared.acquire()
        let pool = ConnectionPool(settings: ConnectionSettings(keywords: database.connectionKeywords), session: session)
        // The shipped timeouts protect a production database; a test machine running the whole suite at once
        // can be slower than that, and these tests are about the numbers, not the schedule.
        let definitions = collectors.collectors.map { definition in
            var relaxed = definition
            relaxed.timeout = .seconds(120)
            return relaxed
        }
        let runs = await CollectorRun.executeAll(definitions, on: pool, concurrency: 3)
        await pool.shutdown()
        await CollectionSlots.shared.release()
        guard runs.count == collectors.collectors.count else {
            throw HarnessError("\(collectors.collectors.count - runs.count) collector runs were cancelled")
        }
        var families: [Exposition.MetricFamily] = []
        var failures: [String] = []
        for run in runs {
            switch run.outcome {
            case .success(let output):
                families += output.families
            case .failure(let failure):
                failures.append("collector \(run.definition.name) failed (\(failure.reason)): \(failure)")
            }
        }
        guard failures.isEmpty else {
            for failure in failures {
                print(failure)
                Issue.record(Comment(rawValue: failure))
            }
            throw HarnessError(failures.joined(separator: "\n"))
        }
        return try CollectedMetrics(families: families)
    }

    /// The start of the current day in UTC and in `zone`, as the database sees it now.
    func dayStarts(zone: String) throws -> String {
        try scalar(
            "SELECT date_trunc('day', now() AT TIME ZONE 'UTC')::text || ' / ' || date_trunc('day', now() AT TIME ZONE \(Fixture.literal(zone)))::text"
        )
    }

    /// Live rooms whose creation date, in `zone`, is today: an independent statement of "created today" for
    /// scenarios whose rooms are back-dated by hours (whether those fall on today depends on the time of day).
    func liveRoomsCreatedToday(zone: String) throws -> Double {
        let zone = Fixture.literal(zone)
        let count = try scalar(
            """
            SELECT count(*) FROM chat_rooms
             WHERE deleted_at IS NULL
               AND (created_at AT TIME ZONE 'UTC' AT TIME ZONE \(zone))::date = (now() AT TIME ZONE \(zone))::date
            """
        )
        guard let value = Double(count) else { throw HarnessError("not a count: \(count)") }
        return value
    }

    func drop() {
        database.drop()
    }
}

/// What one scenario produced.
struct ScenarioRun {
    /// Every sample of one run of all collectors.
    let metrics: CollectedMetrics
    /// ``ScenarioDatabase/liveRoomsCreatedToday(zone:)`` in the configured zone, taken right after the collectors ran.
    let liveRoomsCreatedToday: Double
}

/// Creates a fresh database, lets `setup` write the scenario into it, runs ALL collectors (the default file,
/// with `settings` replaced) once and returns every sample.
///
/// Midnight must not pass between `setup` and the collection (it would move "today"): the start of the day, in
/// UTC and in the configured zone, is read before `setup` and after the collection, and when it moved the whole
/// scenario is repeated once on a new database (midnight cannot pass twice within seconds).
func collectScenario(
    settings: [String: String] = [:],
    _ setup: (ScenarioDatabase) throws -> Void
) async throws -> ScenarioRun {
    let collectors = try DefaultCollectorsFile.with(settings)
    let zone = settings["timezone"] ?? "UTC"
    for _ in 0..<2 {
        let scenario = try ScenarioDatabase.create()
        defer { scenario.drop() }
        let dayBefore = try scenario.dayStarts(zone: zone)
        try setup(scenario)
        let metrics = try await scenario.collect(collectors)
        let reference = try scenario.liveRoomsCreatedToday(zone: zone)
        if try scenario.dayStarts(zone: zone) == dayBefore {
            return ScenarioRun(metrics: metrics, liveRoomsCreatedToday: reference)
        }
    }
    throw HarnessError("the day changed during both attempts of the scenario")
}

extension TestDatabase {
    /// libpq keywords for this database, as the superuser.
    var connectionKeywords: [(String, String)] {
        [("host", server.host), ("port", "\(server.port)"), ("dbname", name), ("user", server.superuser), ("password", server.password)]
    }
}
