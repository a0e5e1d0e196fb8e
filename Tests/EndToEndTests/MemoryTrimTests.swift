import Foundation
import Testing
import TestSupport

/// Once the first complete snapshot is served, chat-exporter pages out its start-up memory, once, and goes on.
@Suite struct MemoryTrimTests {
    @Test func startUpMemoryIsPagedOutOnceWhenReady() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: nil, database: database)
        func pageOutLines() -> [Substring] {
            exporter.process.stderr().split(separator: "\n").filter { $0.contains("paged out start-up memory") }
        }
        try exporter.waitUntilReady()
        try waitUntil(timeout: .seconds(10), "the page-out is logged; stderr:\n\(exporter.process.stderr())") {
            !pageOutLines().isEmpty
        }
        let lines = pageOutLines()
        #expect(lines.count == 1)
        let mappings = lines.first.flatMap { $0.split(separator: " ").first { $0.hasPrefix("mappings=") } }
            .flatMap { Int($0.dropFirst("mappings=".count)) }
        #expect((mappings ?? 0) > 0, "\(lines)")

        // It keeps serving, and later snapshots do not page out again.
        try exporter.waitForMetrics(timeout: .seconds(40), "the chat_triggers collector has run again") {
            ($0.value("chat_exporter_collector_runs_total", ["collector": "chat_triggers"]) ?? 0) >= 2
        }
        #expect(pageOutLines().count == 1)
    }
}
