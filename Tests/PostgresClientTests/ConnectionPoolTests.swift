import Foundation
@testable import PostgresClient
import Testing
import TestSupport

struct ConnectionPoolTests {
    /// Attempts to reconnect double their wait from 0.2 s, half of it random, and never wait more than the cap
    /// (5 s, the README's "reconnects within 5 s"), however long the outage.
    @Test func reconnectionAttemptsBackOffUpToTheCap() {
        for failures in 1...60 {
            let step = min(Duration.milliseconds(200) * (1 << min(failures - 1, 20)), .seconds(5))
            let wait = ConnectionPool.backoff(after: failures, base: .milliseconds(200), cap: .seconds(5))
            #expect(wait >= step / 2 && wait <= step, "after \(failures) failures: \(wait)")
        }
    }

    @Test func thePoolNeverHoldsMoreConnectionsThanItsSize() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = 2
        let session = {
            var session = SessionSettings()
            session.applicationName = "pool-test-\(database.name)"
            return session
        }()
        let pool = ConnectionPool(settings: ConnectionSettings(keywords: database.keywords), session: session, configuration: configuration)
        let peak = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let result = try await pool.query(
                        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE application_name = $1) AS n, pg_sleep(0.2)",
                        parameters: [session.applicationName], timeout: .seconds(10))
                    return Int(result.rows[0][0]!)!
                }
            }
            var peak = 0
            for try await seen in group { peak = max(peak, seen) }
            return peak
        }
        #expect(peak >= 1)
        #expect(peak <= 2)
        #expect(await pool.connectionCount <= 2)
        await pool.shutdown()
    }

    /// A connection that went stale while idle is replaced without the caller seeing it; a statement whose backend was
    /// terminated while it ran (a DBA stopping a heavy query) fails instead of running again on a new connection.
    @Test func aStaleConnectionIsReplacedButATerminatedStatementIsNotRunAgain() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = 1
        var session = SessionSettings()
        session.applicationName = "pool-kill-\(database.name)"
        let pool = ConnectionPool(settings: ConnectionSettings(keywords: database.keywords), session: session, configuration: configuration)
        let terminate = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '\(session.applicationName)'"

        _ = try await pool.query("SELECT 1", timeout: .seconds(10))
        #expect(try database.scalar(terminate) == "1")
        let afterIdle = try await pool.query("SELECT 2 AS n", timeout: .seconds(10))
        #expect(afterIdle.rows == [["2"]], "the stale connection was replaced")

        let heavy = Task { try await pool.query("SELECT pg_sleep(20)", timeout: .seconds(30)) }
        try await waitUntil(timeout: .seconds(10), "the statement runs") { () async throws -> Bool in
            try database.scalar("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE application_name = '\(session.applicationName)' AND query LIKE '%pg_sleep(20)%' AND state = 'active'
                """) == "1"
        }
        #expect(try database.scalar(terminate) == "1")
        let failure = try await #require(throws: PostgresError.self) { try await heavy.value }
        #expect(failure.kind == .connection, "\(failure)")
        #expect(failure.statementStarted)
        #expect(try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' AND state = 'active' AND pid <> pg_backend_pid()") == "0",
                "not run again")
        await pool.shutdown()
    }

    @Test func anUnreachableDatabaseFailsFastAndBacksOff() async throws {
        let port = freeTCPPort()
        let pool = ConnectionPool(settings: ConnectionSettings(keywords: [("host", "127.0.0.1"), ("port", "\(port)"), ("dbname", "x"), ("user", "x")]), session: SessionSettings())
        let first = try await #require(throws: PostgresError.self) { try await pool.query("SELECT 1", timeout: .seconds(5)) }
        #expect(first.kind == .connection)
        #expect(await pool.databaseReachable == false)
        let second = try await #require(throws: PostgresError.self) { try await pool.query("SELECT 1", timeout: .seconds(5)) }
        #expect(second.kind == .connection)
        #expect(second.message.contains("next connection attempt in"))
        await pool.shutdown()
    }

    @Test func aRestartedServerIsReconnectedWithoutAFailedQuery() async throws {
        let server = try TestPostgres.makePrivateCluster()
        defer { server.destroy() }
        let database = try server.createDatabase()
        let pool = ConnectionPool(settings: ConnectionSettings(keywords: database.keywords), session: SessionSettings())
        // The set-up's first query, on a cluster just made while other suites make theirs: time to spare (a CI run
        // on two cores once took more than 5 s here).
        #expect(try await pool.query("SELECT 1", timeout: .seconds(30)).rows == [["1"]])
        try server.stop()
        let down = try await #require(throws: PostgresError.self) { try await pool.query("SELECT 1", timeout: .seconds(5)) }
        #expect(down.kind == .connection)
        #expect(await pool.databaseReachable == false)
        try server.start()
        // Backoff is capped at 5 s: within a few seconds the pool is back, without a restart of anything.
        try await waitUntil(timeout: .seconds(15), pollEvery: .milliseconds(200), "pool reconnects") {
            (try? await pool.query("SELECT 1", timeout: .seconds(5))) != nil
        }
        #expect(await pool.databaseReachable == true)
        await pool.shutdown()
    }
}

/// Faults that must not make callers wait out their deadlines: the database down, a shutdown, a server that
/// accepts TCP and never answers.
struct ConnectionPoolWaitingTests {
    /// With the database down, every caller fails with a connection error, those that queued behind the first
    /// attempts included; none waits out its deadline and reports a timeout. The server here accepts TCP and never
    /// answers, so the first three attempts are in flight (until their 1 s connect timeout) while the others queue.
    @Test func whileTheDatabaseIsDownEveryCallerFailsWithAConnectionError() async throws {
        let server = try SilentServer()
        var session = SessionSettings()
        session.connectTimeout = .seconds(1)
        let pool = ConnectionPool(settings: ConnectionSettings(keywords: server.keywords), session: session)
        let kinds = await withTaskGroup(of: PostgresError.Kind?.self) { group in
            for _ in 0..<13 {
                group.addTask {
                    do {
                        _ = try await pool.query("SELECT 1", timeout: .seconds(20))
                        return nil
                    } catch let error as PostgresError {
                        return error.kind
                    } catch {
                        return nil
                    }
                }
            }
            var kinds: [PostgresError.Kind?] = []
            for await kind in group { kinds.append(kind) }
            return kinds
        }
        #expect(kinds.count == 13)
        #expect(kinds.allSatisfy { $0 == .connection }, "\(kinds)")
        await pool.shutdown()
    }

    /// A connection attempt its caller cancelled (a reload stopping a collector) says nothing about the database: the
    /// next caller tries for itself instead of failing at once in a backoff.
    @Test func aCancelledConnectionAttemptStartsNoBackoff() async throws {
        let server = try SilentServer()
        var session = SessionSettings()
        // Long enough that the cancel below comes first on a loaded machine (with 1 s, the attempt once timed out
        // before the test saw it queued), short enough for the next caller's own attempt to time out soon.
        session.connectTimeout = .seconds(4)
        let pool = ConnectionPool(settings: ConnectionSettings(keywords: server.keywords), session: session)
        let first = Task { try await pool.query("SELECT 1", timeout: .seconds(30)) }
        try await waitUntil(timeout: .seconds(60), "the attempt reached the silent server") { () async throws -> Bool in server.hasPendingConnection }
        first.cancel()
        let cancelled = try await #require(throws: PostgresError.self) { try await first.value }
        #expect(cancelled.kind == .cancelled)
        let next = try await #require(throws: PostgresError.self) { try await pool.query("SELECT 1", timeout: .seconds(30)) }
        #expect(next.kind == .connection, "\(next)")
        #expect(next.message.contains("timed out connecting"), "its own attempt, not a backoff: \(next)")
        await pool.shutdown()
    }

    /// A caller waiting for a connection stops when its task is cancelled (a collector stopped for a shutdown or a
    /// reload), instead of waiting for the connection and running its statement.
    @Test func aCallerWaitingForAConnectionStopsWhenItsTaskIsCancelled() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = 1
        let pool = ConnectionPool(settings: ConnectionSettings(keywords: database.keywords), session: SessionSettings(), configuration: configuration)
        let holder = Task { try await pool.query("SELECT pg_sleep(60)", timeout: .seconds(90)) }
        let holderRunning = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(60)%' AND state = 'active' AND pid <> pg_backend_pid()"
        // Set-up, not what is tested: time to spare while other suites make their clusters (a CI run on two cores
        // once took more than 10 s to get the first connection).
        try await waitUntil(timeout: .seconds(30), "the first caller holds the only connection") { () async throws -> Bool in
            try database.scalar(holderRunning) == "1"
        }
        let waiter = Task { try await pool.query("SELECT 1", timeout: .seconds(90)) }
        try await waitUntil(timeout: .seconds(30), "the second caller waits") { await pool.waitingCount == 1 }
        waiter.cancel()
        let error = try await #require(throws: PostgresError.self) { try await waiter.value }
        #expect(error.kind == .cancelled)
        #expect(await pool.waitingCount == 0)
        // It stopped while the first statement still ran, not after it.
        #expect(try database.scalar(holderRunning) == "1")
        holder.cancel()
        _ = try? await holder.value
        await pool.shutdown()
    }
}
