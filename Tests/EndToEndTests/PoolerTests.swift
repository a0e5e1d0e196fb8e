import Foundation
import Testing
import TestSupport

/// Behind a pooler in transaction mode (pgbouncer's default advice for many clients), every client of a database
/// takes turns on the same server session: nothing the exporter sets may stay on it, and nothing another client
/// sets may reach the exporter's queries.
@Suite(.serialized)
struct PoolerTests {
    @Test func throughPgBouncerInTransactionModeNoSettingLeaksEitherWay() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        try database.execute("CREATE TABLE written (n int); GRANT ALL ON written TO PUBLIC")
        let bouncer = try PgBouncer(before: database.server)
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: settings
                interval: 1s
                timeout: 1s
                sql: |
                  SELECT current_setting('lock_timeout') AS lock, current_setting('jit') AS jit,
                         current_setting('max_parallel_workers_per_gather') AS workers, current_setting('TimeZone') AS zone,
                         current_setting('transaction_read_only') AS read_only, 1 AS v
                metrics:
                  - {name: test_session, type: gauge, help: The settings a query runs with., value: v, labels: [lock, jit, workers, zone, read_only]}
            """, database: nil, arguments: ["--database.timezone", "Europe/Moscow", "--database.lock-timeout", "3s"],
            environment: ["DATA_SOURCE_NAME": bouncer.dsn(database: database.name)])
        let expected = ["lock": "3s", "jit": "off", "workers": "0", "zone": "Europe/Moscow", "read_only": "on"]
        try exporter.waitForMetrics("the exporter's queries run with its settings; pgbouncer: \(bouncer.log)") {
            $0.value("test_session", expected) == 1
        }

        // Another client of the same pool, on the same server session, after the exporter's transactions.
        let other = try bouncer.psql("""
            SELECT current_setting('default_transaction_read_only') || ' ' || current_setting('jit') || ' ' || current_setting('lock_timeout')
                   || ' ' || current_setting('max_parallel_workers_per_gather');
            """, database: database.name)
        #expect(other.status == 0, "\(other.stderr)")
        #expect(other.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "off on 0 2", "the server's defaults: \(other.stdout)")
        let write = try bouncer.psql("INSERT INTO written VALUES (1)", database: database.name)
        #expect(write.status == 0, "the platform's writes are not made read-only: \(write.stderr)")

        // Settings another client leaves on the session do not reach the exporter's next queries.
        let leave = try bouncer.psql("SET jit = on; SET lock_timeout = 0; SET max_parallel_workers_per_gather = 4", database: database.name)
        #expect(leave.status == 0, "\(leave.stderr)")
        let runs = try exporter.metrics().value("chat_exporter_collector_runs_total", ["collector": "settings"]) ?? 0
        try exporter.waitForMetrics("two more runs") {
            ($0.value("chat_exporter_collector_runs_total", ["collector": "settings"]) ?? 0) >= runs + 2
        }
        #expect(try exporter.metrics().value("test_session", expected) == 1)
    }

    /// A pooler whose only server connection is taken accepts the exporter's connection and then answers nothing:
    /// the exporter says so, as a connection failure, instead of "statement did not stop after cancellation".
    @Test func aPoolerWithNoFreeServerConnectionIsAConnectionFailureSaidPlainly() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let bouncer = try PgBouncer(before: database.server)
        let holding = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? bouncer.psql("BEGIN; SELECT pg_sleep(8); COMMIT;", database: database.name)
            holding.signal()
        }
        defer { _ = holding.wait(timeout: .now() + 30) }
        try waitUntil(timeout: .seconds(10), "the pooler's server connection is taken") {
            try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(8)%' AND state = 'active' AND pid <> pg_backend_pid()") == "1"
        }
        let exporter = try RunningExporter(collectors: TestCollectors.selectOne, database: nil, arguments: ["--database.connect-timeout", "2s"],
            environment: ["DATA_SOURCE_NAME": bouncer.dsn(database: database.name)])
        try exporter.waitForMetrics("a connection failure") {
            ($0.value("chat_exporter_collector_errors_total", ["collector": "one", "reason": "connection"]) ?? 0) >= 1
                && $0.value("chat_exporter_database_up") == 0
        }
        let log = exporter.process.stderr()
        #expect(log.contains("the first statement got no answer within the connect timeout"), "\(log)")
        #expect(!log.contains("statement did not stop after cancellation"), "\(log)")
        #expect((try exporter.metrics().value("chat_exporter_collector_errors_total", ["collector": "one", "reason": "timeout"])) == 0)
    }
}
