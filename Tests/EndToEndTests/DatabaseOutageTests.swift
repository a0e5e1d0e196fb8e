import Foundation
import Testing
import TestSupport

/// The database goes away and comes back; the exporter keeps answering, tells the truth, and recovers by itself.
struct DatabaseOutageTests {
    static let collectors = """
        collectors:
          - name: users
            interval: 1s
            timeout: 1s
            sql: SELECT count(*) AS n FROM users
            metrics:
              - {name: test_users, type: gauge, help: Users., value: n}
        """

    @Test func aStoppedDatabaseMeansDatabaseUpZeroAndNoStaleSeriesThenValuesComeBack() throws {
        let server = try TestPostgres.makePrivateCluster()
        defer { server.destroy() }
        let database = try server.createDatabase()
        try database.execute("INSERT INTO users (email) VALUES ('a@example.com')")
        let exporter = try RunningExporter(collectors: Self.collectors, database: database)
        try exporter.waitForMetrics("first value") { $0.value("test_users") == 1 }

        try server.stop()
        try exporter.waitForMetrics("database_up 0 and the series gone") {
            $0.value("chat_exporter_database_up") == 0 && $0.value("test_users") == nil
                && ($0.value("chat_exporter_collector_errors_total", ["collector": "users", "reason": "connection"]) ?? 0) >= 1
        }
        #expect(try exporter.get("/metrics").status == 200)
        // Still a target to scrape: the outage is in its metrics, not in a readiness that would pull the pod.
        #expect(try exporter.get("/-/ready").status == 200)

        try server.start()
        try exporter.waitForMetrics(timeout: .seconds(20), "values back without a restart") {
            $0.value("chat_exporter_database_up") == 1 && $0.value("test_users") == 1
        }
        #expect(exporter.process.isRunning)
        // The outage is one line and the recovery another (beside each failed run's own), at start too.
        let log = exporter.process.stderr()
        let transitions = log.split(separator: "\n").filter { $0.contains("msg=\"database reachable\"") || $0.contains("msg=\"database unreachable\"") }
        #expect(transitions.count == 3, "\(transitions)")
        #expect(transitions.first?.contains("msg=\"database reachable\"") == true)
        #expect(transitions.dropFirst().first?.contains("level=warn") == true)
        #expect(transitions.last?.contains("msg=\"database reachable\"") == true)
    }

    /// A server that stops answering without closing anything (frozen: a dropped network link, a hung host) is the
    /// outage that ends in no error: the exporter's timeouts have to. Scrapes stay fast meanwhile, the database reads
    /// as down and the stale series go, and once the server answers again the values come back without a restart.
    @Test func aFrozenDatabaseReadsAsDownWhileScrapesStayFastThenValuesComeBack() throws {
        let server = try TestPostgres.makePrivateCluster()
        defer { server.destroy() }
        let database = try server.createDatabase()
        try database.execute("INSERT INTO users (email) VALUES ('a@example.com')")
        let exporter = try RunningExporter(collectors: Self.collectors, database: database, arguments: ["--database.connect-timeout", "2s"])
        try exporter.waitForMetrics("first value") { $0.value("test_users") == 1 }

        try server.freeze()  // destroy() thaws it should the test end early
        try exporter.waitForMetrics(timeout: .seconds(30), "database_up 0 and the series gone") {
            $0.value("chat_exporter_database_up") == 0 && $0.value("test_users") == nil
        }
        // Prometheus' default scrape timeout is 10 s; the exporter answers from its last snapshot, never the database.
        for _ in 0..<5 {
            let started = ContinuousClock.now
            #expect(try exporter.get("/metrics").status == 200)
            #expect(ContinuousClock.now - started < .seconds(1), "a scrape while the database is frozen")
        }
        let failures = try exporter.metrics()
        #expect((failures.value("chat_exporter_collector_errors_total", ["collector": "users", "reason": "connection"]) ?? 0)
            + (failures.value("chat_exporter_collector_errors_total", ["collector": "users", "reason": "timeout"]) ?? 0) >= 1)

        try server.thaw()
        try exporter.waitForMetrics(timeout: .seconds(30), "values back without a restart") {
            $0.value("chat_exporter_database_up") == 1 && $0.value("test_users") == 1
        }
        #expect(exporter.process.isRunning)
    }

    /// Started before its database, the exporter is not ready until every collector has run against it, and a
    /// collector with an hour's interval whose first run found no database runs again as soon as the database
    /// answers, not an hour later.
    @Test func theExporterStartsWithoutADatabaseAndIsReadyOnlyOnceItCanSaySomethingTrue() throws {
        let server = try TestPostgres.makePrivateCluster()
        defer { server.destroy() }
        let database = try server.createDatabase()
        try server.stop()
        let exporter = try RunningExporter(collectors: Self.collectors + """

              - name: hourly
                interval: 1h
                timeout: 1s
                sql: SELECT 1 AS n
                metrics:
                  - {name: test_hourly, type: gauge, help: Hourly., value: n}
            """, database: database)
        #expect(try exporter.get("/-/healthy").status == 200)
        try exporter.waitForMetrics("a failed run") {
            ($0.value("chat_exporter_collector_runs_total", ["collector": "users"]) ?? 0) >= 1
        }
        #expect(try exporter.get("/-/ready").status == 503)
        #expect(try exporter.metrics().value("chat_exporter_database_up") == 0)
        try server.start()
        try exporter.waitUntilReady()
        let metrics = try exporter.metrics()
        #expect(metrics.value("test_users") == 0)
        #expect(metrics.value("test_hourly") == 1)
    }

    /// A statement whose backend a DBA terminated is not run again as soon as the database answers (the early retry
    /// is for runs that found no database): it waits for its next interval, here an hour.
    @Test func aTerminatedStatementWaitsForItsNextInterval() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: Self.collectors + """

              - name: heavy
                interval: 1h
                timeout: 60s
                sql: SELECT 1 AS n FROM pg_sleep(30)
                metrics:
                  - {name: test_heavy, type: gauge, help: Heavy., value: n}
            """, database: database)
        try waitUntil(timeout: .seconds(20), "the heavy statement runs") {
            try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND application_name = 'chat-exporter' AND state = 'active'") == "1"
        }
        _ = try database.scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND application_name = 'chat-exporter'")
        try exporter.waitForMetrics("the terminated run failed, another collector ran since") { metrics in
            (metrics.value("chat_exporter_collector_errors_total", ["collector": "heavy", "reason": "connection"]) ?? 0) == 1
                && metrics.value("test_users") == 0
        }
        // Three seconds of the users collector reaching the database every second: no second heavy run (a wait that
        // ends early only if one comes).
        #expect(throws: TimeoutError.self) {
            try waitUntil(timeout: .seconds(3), "a second heavy run") {
                (try? database.scalar("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND application_name = 'chat-exporter'")) == "1"
            }
        }
        #expect(try exporter.metrics().value("chat_exporter_collector_runs_total", ["collector": "heavy"]) == 1)
    }
}
