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
        #expect(start.contains("\"collectors\":13") && start.contains("\"tls\":false") && start.contains("\"basic_auth\":false"), "\(start)")
        #expect(start.contains("\"version\":\""), "text stays text: \(start)")
        let listening = try #require(lines.first { $0.contains("\"msg\":\"listening\"") })
        #expect(listening.contains("\"port\":\(exporter.port)"), "\(listening)")
        let run = try #require(lines.first { $0.contains("\"msg\":\"collector run\"") })
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(run.utf8)) as? [String: Any])
        #expect(fields["rows"] is NSNumber && fields["series"] is NSNumber && fields["duration_seconds"] is NSNumber, "\(run)")
        #expect(fields["collector"] is String, "\(run)")
    }

    @Test func logfmtIsTheDefault() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: nil, database: database)
        try exporter.waitUntilReady()
        let start = try #require(exporter.process.stderr().split(separator: "\n").first { $0.contains("msg=\"starting chat-exporter\"") },
                                 "stderr:\n\(exporter.process.stderr())")
        #expect(start.hasPrefix("ts=") && start.contains(" level=info ") && start.contains(" collectors=13 ") && start.contains(" tls=false"), "\(start)")
    }
}
