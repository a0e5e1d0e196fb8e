import CollectorConfig
import ExporterCore
import Exposition
import PostgresClient
import TestSupport
import Testing

/// The shipped `chat_database` collector on a real primary and a real hot standby streaming from it: the standby says
/// so, and how far its replay trails while replay is paused and WAL keeps arriving.
@Suite(.serialized)
struct StandbyTests {
    @Test func aStandbySaysSoAndHowFarItsReplayTrails() async throws {
        let primary = try TestPostgres.makePrivateCluster()
        defer { primary.destroy() }
        let database = try primary.createDatabase()
        let standby = try TestPostgres.makeStandby(of: primary)
        defer { standby.destroy() }
        let collector = try #require(try DefaultCollectorsFile.with([:]).collectors.first { $0.name == "chat_database" })

        #expect(try await Self.measure(collector, on: primary, database: database.name) == Reading(inRecovery: 0, lag: 0, pending: 0, position: 0, receiver: 0))

        try await waitUntil(timeout: .seconds(60), "the standby has the database") { () async throws -> Bool in
            (try? standby.psql("SELECT count(*) FROM chat_rooms", database: database.name)) == "0"
        }
        // A transaction replayed first: the lag is the age of the last one (before any, it is unknown).
        try database.execute("INSERT INTO users (email) VALUES ('before-the-pause@example.com')")
        try await waitUntil(timeout: .seconds(60), "the standby has replayed the insert") { () async throws -> Bool in
            (try? standby.psql("SELECT count(*) FROM users", database: database.name)) == "1"
        }
        try await waitUntil(timeout: .seconds(60), "the standby has replayed all it received") { () async throws -> Bool in
            let reading = try await Self.measure(collector, on: standby, database: database.name)
            return reading.inRecovery == 1 && reading.lag == 0 && reading.pending == 0 && (reading.position ?? 0) > 0
        }

        // Replay paused while the primary keeps writing: received, not replayed, and older every second.
        _ = try standby.psql("SELECT pg_wal_replay_pause()")
        try await waitUntil(timeout: .seconds(30), "replay is paused") { () async throws -> Bool in
            try standby.psql("SELECT pg_get_wal_replay_pause_state()") == "paused"
        }
        let paused = try #require(try await Self.measure(collector, on: standby, database: database.name).position)
        try database.execute("INSERT INTO users (email) VALUES ('after-the-pause@example.com')")
        try await waitUntil(timeout: .seconds(60), "the lag grows past 2 s, WAL waiting, the position still") { () async throws -> Bool in
            let reading = try await Self.measure(collector, on: standby, database: database.name)
            return reading.inRecovery == 1 && (reading.lag ?? 0) >= 2 && (reading.pending ?? 0) > 0 && reading.position == paused
        }
        let check = try runProcess(Binary.chatExporter, ["check"], environment: [
            "DATA_SOURCE_NAME": Self.dsn(standby, database: database.name),
        ], timeout: .seconds(60))
        #expect(check.stdout.contains("this is a hot standby, its replay"), "\(check.stdout)")

        _ = try standby.psql("SELECT pg_wal_replay_resume()")
        try await waitUntil(timeout: .seconds(60), "caught up again, the position further") { () async throws -> Bool in
            let reading = try await Self.measure(collector, on: standby, database: database.name)
            return reading.lag == 0 && reading.pending == 0 && (reading.position ?? 0) > paused && reading.receiver == 1
        }
    }

    /// A standby cut off from its primary has replayed all it received, which postgres_exporter's formula reads as no
    /// lag: here it is the age of its last replayed commit, and the WAL receiver is gone. Read by a role without
    /// pg_read_all_stats, as the exporter's own (it sees the receiver's pid only). Reconnected, both come back.
    @Test func aStandbyCutOffFromItsPrimaryReadsTheAgeOfItsLastCommit() async throws {
        let primary = try TestPostgres.makePrivateCluster()
        defer { primary.destroy() }
        let database = try primary.createDatabase()
        try database.execute("CREATE ROLE standby_watcher LOGIN PASSWORD 'watcher-password'")
        let standby = try TestPostgres.makeStandby(of: primary)
        defer { standby.destroy() }
        let collector = try #require(try DefaultCollectorsFile.with([:]).collectors.first { $0.name == "chat_database" })
        let watcher = (user: "standby_watcher", password: "watcher-password")

        try database.execute("INSERT INTO users (email) VALUES ('last-before-the-cut@example.com')")
        try await waitUntil(timeout: .seconds(60), "the standby streams and has replayed the insert") { () async throws -> Bool in
            guard (try? standby.psql("SELECT count(*) FROM users", database: database.name)) == "1" else { return false }
            let reading = try await Self.measure(collector, on: standby, database: database.name, as: watcher)
            return reading.inRecovery == 1 && reading.lag == 0 && reading.receiver == 1
        }

        // The primary's shutdown checkpoint reaches the standby and is replayed: nothing waits, the lag would be 0.
        try primary.stop()
        try await waitUntil(timeout: .seconds(60), "no WAL receiver, the lag the last commit's age, past 2 s") { () async throws -> Bool in
            let reading = try await Self.measure(collector, on: standby, database: database.name, as: watcher)
            return reading.receiver == 0 && (reading.lag ?? 0) >= 2 && reading.pending == 0
        }
        let check = try runProcess(Binary.chatExporter, ["check"], environment: [
            "DATA_SOURCE_NAME": Self.dsn(standby, database: database.name),
        ], timeout: .seconds(60))
        #expect(check.stdout.contains("cut off from its primary"), "\(check.stdout)")

        // Restarted while cut off: no commit replayed since, so how old its figures are is unknown (no sample),
        // not "caught up" as an archive-only standby reads.
        try standby.restart()
        try await waitUntil(timeout: .seconds(60), "restarted: no WAL receiver, no lag sample") { () async throws -> Bool in
            let reading = try? await Self.measure(collector, on: standby, database: database.name, as: watcher)
            return reading?.inRecovery == 1 && reading?.receiver == 0 && reading?.lag == nil
        }

        try primary.start()
        try await waitUntil(timeout: .seconds(90), "streaming again, no lag") { () async throws -> Bool in
            let reading = try await Self.measure(collector, on: standby, database: database.name, as: watcher)
            return reading.receiver == 1 && reading.lag == 0
        }
    }

    /// The collector's four values; nil where it served no sample.
    struct Reading: Equatable {
        let inRecovery: Double?
        let lag: Double?
        let pending: Double?
        let position: Double?
        let receiver: Double?
    }

    private static func dsn(_ server: PostgresServer, database: String) -> String {
        "host=\(server.host) port=\(server.port) dbname=\(database) user=\(server.superuser) password=\(server.password)"
    }

    /// One run of the collector on `server`, as the exporter runs it.
    private static func measure(
        _ collector: CollectorDefinition, on server: PostgresServer, database: String,
        as role: (user: String, password: String)? = nil
    ) async throws -> Reading {
        let pool = ConnectionPool(
            settings: ConnectionSettings(keywords: [
                ("host", server.host), ("port", "\(server.port)"), ("dbname", database), ("user", role?.user ?? server.superuser),
                ("password", role?.password ?? server.password),
            ]),
            session: SessionSettings())
        // The shipped 5 s timeout protects a production database; a test machine running the whole suite at once
        // can be slower than that (a fresh cluster's first queries, CI), and these tests are about the values.
        var relaxed = collector
        relaxed.timeout = .seconds(120)
        let run = await CollectorRun.execute(relaxed, on: pool)
        await pool.shutdown()
        guard let run, case .success(let output) = run.outcome else {
            throw HarnessError("chat_database failed: \(String(describing: run?.outcome))")
        }
        func value(_ name: String) -> Double? {
            output.families.first(where: { $0.name == name })?.samples.first?.value
        }
        return Reading(
            inRecovery: value("chat_database_in_recovery"), lag: value("chat_database_replay_lag_seconds"),
            pending: value("chat_database_replay_pending_bytes"), position: value("chat_database_replay_position_bytes"),
            receiver: value("chat_database_wal_receiver_running"))
    }
}
