import Foundation
import Testing
import TestSupport

/// `--version` names the commit the binary was built from, as `chat_exporter_build_info` does.
struct VersionTests {
    /// The checkout's HEAD, from git itself (the build reads .git without it).
    private static func head() throws -> String {
        let result = try runProcess("git", ["-C", PackageLayout.root, "rev-parse", "HEAD"])
        return String(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).prefix(12))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: PackageLayout.path(".git")) && FileManager.default.isExecutableFile(atPath: "/usr/bin/git")))
    func versionNamesTheCommitOfTheCheckout() throws {
        let result = try runProcess(Binary.chatExporter, ["--version"])
        #expect(result.status == 0)
        let head = try Self.head()
        #expect(head.count == 12)
        #expect(result.stdout.contains("(revision \(head),"), "built from \(head): \(result.stdout)")
    }
}
