import Foundation
import Testing
import TestSupport

/// Collectors run in the background on their interval, never overlap, and time out on the server.
struct SchedulingTests {
    @Test func collectorsRunOnTheirIntervalAndNeverOverlap() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        // The query counts the running copies of itself: with overlapping runs it would see 2.
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: overlap_probe
                interval: 1s
                timeout: 1s
                sql: |
                  SELECT (SELECT count(*) FROM pg_stat_activity
                           WHERE state = 'active' AND query LIKE '%overlap_probe_marker%' AND pid <> pg_backend_pid()) + 1 AS copies,
                         pg_sleep(0.9) IS NULL AS slept -- overlap_probe_marker
                metrics:
                  - {name: test_concurrent_copies, type: gauge, help: Copies of the probe running at once., value: copies}
            """, database: database, arguments: ["--database.max-connections=3"])
        var maxCopies = 0.0
        var runs: [Double] = []
        let started = ContinuousClock.now
        try waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(150), "five runs of the probe") {
            let metrics = try exporter.metrics()
            maxCopies = max(maxCopies, metrics.value("test_concurrent_copies") ?? 0)
            if let count = metrics.value("chat_exporter_collector_runs_total", ["collector": "overlap_probe"]) { runs.append(count) }
            return (runs.last ?? 0) >= 5
        }
        let elapsed = ContinuousClock.now - started
        #expect(maxCopies == 1)
        // 5 runs of ~0.9 s on a 1 s interval (plus ≤5% jitter) take at least 4 s: no run was skipped, none doubled.
        #expect(elapsed >= .seconds(4))
        #expect(elapsed < .seconds(12))
    }

    @Test func aQueryPastItsTimeoutIsCancelledOnTheServerAndOthersKeepTheirSchedule() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: stuck
                interval: 2s
                timeout: 1s
                sql: SELECT pg_sleep(60) IS NULL AS v -- stuck_marker
                metrics:
                  - {name: test_stuck, type: gauge, help: Never answers in time., value: v}
              - name: healthy
                interval: 1s
                timeout: 1s
                sql: SELECT 1 AS v
                metrics:
                  - {name: test_healthy, type: gauge, help: Answers at once., value: v}
            """, database: database, arguments: ["--database.max-connections=2"])
        try exporter.waitForMetrics("two timeouts of the stuck collector") {
            ($0.value("chat_exporter_collector_errors_total", ["collector": "stuck", "reason": "timeout"]) ?? 0) >= 2
        }
        let metrics = try exporter.metrics()
        #expect(metrics.value("chat_exporter_collector_success", ["collector": "stuck"]) == 0)
        #expect(metrics.value("test_stuck") == nil)
        #expect(metrics.value("test_healthy") == 1)
        // The healthy collector kept its 1 s schedule while the stuck one timed out twice (≥ 3 s).
        #expect((metrics.value("chat_exporter_collector_runs_total", ["collector": "healthy"]) ?? 0) >= 3)
        // No cancelled statement lives on in the server past its 1 s timeout (plus a margin).
        let lingering = try database.scalar("""
            SELECT count(*) FROM pg_stat_activity
             WHERE application_name = 'chat-exporter' AND datname = current_database() AND query LIKE '%stuck_marker%'
               AND state = 'active' AND now() - query_start > interval '1.8 seconds'
            """)
        #expect(lingering == "0")
        // Connections never exceed the pool size.
        let connections = try Int(database.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chat-exporter' AND datname = current_database()"))!
        #expect(connections <= 2)
        #expect(exporter.process.stderr().contains("sqlstate=57014"))
    }

    @Test func aCollectorThatWritesFailsWithTheReadOnlyErrorAndWritesNothing() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: writer
                interval: 1s
                timeout: 1s
                sql: INSERT INTO users (email) VALUES ('written-by-exporter@example.com') RETURNING 1 AS v
                metrics:
                  - {name: test_written, type: gauge, help: Should never appear., value: v}
            """, database: database)
        try exporter.waitForMetrics("a query error of the writer") {
            ($0.value("chat_exporter_collector_errors_total", ["collector": "writer", "reason": "query"]) ?? 0) >= 1
        }
        #expect(try exporter.metrics().value("test_written") == nil)
        #expect(exporter.process.stderr().contains("sqlstate=25006"))
        #expect(try database.scalar("SELECT count(*) FROM users") == "0")
    }

    @Test func rowsRemovedFromATableVanishFromMetrics() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        try database.execute("INSERT INTO users (email, role) VALUES ('a@example.com', 'teacher'), ('b@example.com', 'student')")
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: roles
                interval: 1s
                timeout: 1s
                sql: SELECT role, count(*) AS n FROM users GROUP BY role
                metrics:
                  - {name: test_role_users, type: gauge, help: Users per role., value: n, labels: [role]}
            """, database: database)
        try exporter.waitForMetrics("both roles") { $0.all("test_role_users").count == 2 }
        try database.execute("DELETE FROM users WHERE role = 'student'")
        try exporter.waitForMetrics("the student series is gone") {
            $0.value("test_role_users", ["role": "student"]) == nil && $0.value("test_role_users", ["role": "teacher"]) == 1
        }
    }

    @Test func resultsThatDoNotFitTheDefinitionFailAsInvalidValueOrCardinality() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: missing_column
                interval: 1s
                timeout: 1s
                sql: SELECT 1 AS something_else
                metrics:
                  - {name: test_missing, type: gauge, help: Missing column., value: v}
              - name: not_a_number
                interval: 1s
                timeout: 1s
                sql: SELECT 'many' AS v
                metrics:
                  - {name: test_nan_text, type: gauge, help: Text value., value: v}
              - name: too_many
                interval: 1s
                timeout: 1s
                sql: SELECT g::text AS k, g AS v FROM generate_series(1, 5) g
                metrics:
                  - {name: test_many, type: gauge, help: Capped., value: v, labels: [k], max_series: 3}
            """, database: database)
        try exporter.waitForMetrics("every collector failed once") { metrics in
            (metrics.value("chat_exporter_collector_errors_total", ["collector": "missing_column", "reason": "invalid_value"]) ?? 0) >= 1
                && (metrics.value("chat_exporter_collector_errors_total", ["collector": "not_a_number", "reason": "invalid_value"]) ?? 0) >= 1
                && (metrics.value("chat_exporter_collector_errors_total", ["collector": "too_many", "reason": "cardinality"]) ?? 0) >= 1
        }
        let metrics = try exporter.metrics()
        #expect(metrics.all("test_many").isEmpty)
        #expect(metrics.value("chat_exporter_collector_series", ["collector": "too_many"]) == 0)
    }
}
