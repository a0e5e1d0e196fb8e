import ExporterCore
import Foundation
import Testing

/// MemoryTrim gives back the pages of the executable's read-only mappings.
@Suite struct MemoryTrimTests {
    /// The test binary's read-only mappings are advised, every one (found in the whole of /proc/self/maps, which is
    /// longer than one read), and their resident pages leave the process.
    @Test func pagesOutTheReadOnlyFileMappings() throws {
        let eligible = try readOnlyFileMappings()
        let before = try residentFileKilobytes()
        let advised = MemoryTrim.pageOutFileMappings()
        let after = try residentFileKilobytes()
        #expect(eligible >= 2, "the executable's code and read-only data")
        #expect(advised == eligible, "\(advised) of \(eligible) read-only mappings of the executable advised")
        #expect(after < before, "RssFile \(before) kB before, \(after) kB after")
    }

    /// Counted from /proc/self/maps read to its end with a file handle, independently of MemoryTrim.
    private func readOnlyFileMappings() throws -> Int {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps"))
        defer { try? handle.close() }
        let text = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").filter { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count == 6 && fields[5] == executable && !fields[1].contains("w")
        }.count
    }

    private func residentFileKilobytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssFile:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw CocoaError(.fileReadCorruptFile) }
        return kilobytes
    }
}
