import Foundation
import PostgresClient
import Testing
import TestSupport

struct ConnectionPoolTests {
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
        #expect(try await pool.query("SELECT 1", timeout: .seconds(5)).rows == [["1"]])
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
