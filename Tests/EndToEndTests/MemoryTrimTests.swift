import Foundation
import Testing
import TestSupport

/// Once the first complete snapshot is served, chat-exporter releases its start-up memory, once, and goes on.
@Suite struct MemoryTrimTests {
    @Test func startUpMemoryIsReleasedOnceWhenReady() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: nil, database: database)
        func releaseLines() -> [Substring] {
            exporter.process.stderr().split(separator: "\n").filter { $0.contains("released start-up memory") }
        }
        try exporter.waitUntilReady()
        try waitUntil(timeout: .seconds(10), "the release is logged; stderr:\n\(exporter.process.stderr())") {
            !releaseLines().isEmpty
        }
        let lines = releaseLines()
        #expect(lines.count == 1)
        func field(_ name: String) -> Int? {
            lines.first.flatMap { $0.split(separator: " ").first { $0.hasPrefix(name + "=") } }
                .flatMap { Int($0.dropFirst(name.count + 1)) }
        }
        #expect((field("mappings") ?? 0) >= 2, "\(lines)")
        // The code it ran to start, at least a megabyte of it, is no longer mapped, whoever runs it.
        #expect((field("unmapped_bytes") ?? 0) > 1 << 20, "\(lines)")
        // And the shared libraries' start-up pages (libpq's authentication, the loader's work): a megabyte at least.
        #expect((field("libraries_unmapped_bytes") ?? 0) > 1 << 20, "\(lines)")
        #expect(field("heap_released_bytes") != nil, "the heap is trimmed too: \(lines)")

        // It keeps serving, and later snapshots do not release again (a release after the second snapshot would be
        // logged by the time the third run is served).
        try exporter.waitForMetrics(timeout: .seconds(60), "the chat_triggers collector has run twice more") {
            ($0.value("chat_exporter_collector_runs_total", ["collector": "chat_triggers"]) ?? 0) >= 3
        }
        #expect(releaseLines().count == 1)
    }
}
