import ExporterCore
import Foundation
import Testing

/// MemoryTrim gives back the pages of the process's read-only file mappings (its code and its libraries).
@Suite struct MemoryTrimTests {
    /// The test binary and its libraries are read-only file mappings: they are advised, their resident pages
    /// leave the process, and the code keeps running (pages fault back in when used).
    @Test func pagesOutTheReadOnlyFileMappings() throws {
        let before = try residentFileKilobytes()
        let advised = MemoryTrim.pageOutFileMappings()
        let after = try residentFileKilobytes()
        #expect(advised > 0)
        #expect(after < before, "RssFile \(before) kB before, \(after) kB after")
        #expect(String(describing: 42) == "42")
    }

    private func residentFileKilobytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssFile:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw CocoaError(.fileReadCorruptFile) }
        return kilobytes
    }
}
