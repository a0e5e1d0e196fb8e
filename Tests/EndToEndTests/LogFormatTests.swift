import Foundation
import Testing
import TestSupport

/// `--log.format`: logfmt by default, or one JSON object a line, as the Prometheus exporters log. In JSON, counts,
/// sizes, durations and flags are numbers and booleans, so that a log pipeline can compare and sum them.
struct LogFormatTests {
    @Test func jsonIsOneObjectALineWithNumbersAndBooleansBare() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: nil, database: database, arguments: ["--log.format", "json"])
        try exporter.waitUntilReady()
        try waitUntil(timeout: .seconds(20), "a collector run is logged; stderr:\n\(exporter.process.stderr())") {
            exporter.process.stderr().contains("\"msg\":\"collector run\"")
        }
        let lines = exporter.process.stderr().split(separator: "\n").map(String.init)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
            #expect(object["ts"] is String && object["level"] is String && object["msg"] is String, "\(line)")
        }
        let start = try #require(lines.first { $0.contains("\"msg\":\"starting chat-exporter\"") })
        #expect(start.contains("\"collectors\":14") && start.contains("\"tls\":false") && start.contains("\"basic_auth\":false"), "\(start)")
        #expect(start.contains("\"version\":\""), "text stays text: \(start)")
        let listening = try #require(lines.first { $0.contains("\"msg\":\"listening\"") })
        #expect(listening.contains("\"port\":\(exporter.port)"), "\(listening)")
        let run = try #require(lines.first { $0.contains("\"msg\":\"collector run\"") })
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(run.utf8)) as? [String: Any])
        #expect(fields["rows"] is NSNumber && fields["series"] is NSNumber && fields["duration_seconds"] is NSNumber, "\(run)")
        #expect(fields["collector"] is String, "\(run)")
    }

    /// The server's notices and warnings (a RAISE in a function a collector calls, a server shutting down) are
    /// lines of the log in its format; libpq would print them raw on stderr, breaking a JSON log.
    @Test func serverNoticesAreLogLinesInTheLogsFormat() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        try database.execute("""
            CREATE FUNCTION noisy() RETURNS int LANGUAGE plpgsql AS $$
            BEGIN
              RAISE WARNING 'the table is getting big';
              RAISE NOTICE 'just so you know';
              RETURN 1;
            END $$;
            """)
        // PostgreSQL 15 warns at every login when the database's recorded collation version is not the system's (after
        // an OS upgrade): a notice sent while the connection is being made, before any query.
        _ = try database.server.psql("UPDATE pg_database SET datcollversion = '0.1' WHERE datname = '\(database.name)'")
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: noisy
                interval: 1s
                timeout: 1s
                sql: SELECT noisy() AS v
                metrics:
                  - {name: test_noisy, type: gauge, help: Noisy., value: v}
            """, database: database, arguments: ["--log.format", "json", "--log.level", "debug"])
        try exporter.waitUntilReady()
        try waitUntil(timeout: .seconds(20), "both notices are logged; stderr:\n\(exporter.process.stderr())") {
            let log = exporter.process.stderr()
            return log.contains("just so you know") && log.contains("the table is getting big") && log.contains("collation version")
        }
        let lines = exporter.process.stderr().split(separator: "\n").map(String.init)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not a JSON object: \(line)")
        }
        let warning = try #require(lines.first { $0.contains("the table is getting big") })
        #expect(warning.contains("\"level\":\"warn") && warning.contains("\"msg\":\"database notice\"") && warning.contains("\"severity\":\"WARNING\""), "\(warning)")
        let notice = try #require(lines.first { $0.contains("just so you know") })
        #expect(notice.contains("\"level\":\"debug\""), "\(notice)")
    }

    @Test func logfmtIsTheDefault() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: nil, database: database)
        try exporter.waitUntilReady()
        let start = try #require(exporter.process.stderr().split(separator: "\n").first { $0.contains("msg=\"starting chat-exporter\"") },
                                 "stderr:\n\(exporter.process.stderr())")
        #expect(start.hasPrefix("ts=") && start.contains(" level=info ") && start.contains(" collectors=14 ") && start.contains(" tls=false"), "\(start)")
    }
}
