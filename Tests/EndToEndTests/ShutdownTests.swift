import Foundation
import Testing
import TestSupport

/// SIGTERM stops accepting, cancels running queries, closes connections and exits 0 within 5 s.
struct ShutdownTests {
    @Test func sigtermDuringALongQueryExitsCleanlyAndCancelsIt() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: long
                interval: 2m
                timeout: 1m
                sql: SELECT pg_sleep(55) IS NULL AS v -- long_query_marker
                metrics:
                  - {name: test_long, type: gauge, help: Long., value: v}
            """, database: database)
        try waitUntil(timeout: .seconds(10), "the long query runs") {
            try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%long_query_marker%' AND application_name = 'chat-exporter' AND datname = current_database()") == "1"
        }
        let started = ContinuousClock.now
        let status = try exporter.process.terminate(timeout: .seconds(10))
        #expect(status == 0, "stderr: \(exporter.process.stderr())")
        #expect(ContinuousClock.now - started < .seconds(5))
        try waitUntil(timeout: .seconds(5), "the exporter's sessions are gone") {
            try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chat-exporter' AND datname = current_database()") == "0"
        }
    }
}
