import Foundation

/// Where the package's files are, found from this source file's own path, so tests work from any working
/// directory.
public enum PackageLayout {
    /// The package root: the directory that holds Package.swift.
    public static let root: String = {
        let fromSource = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Tests/TestSupport
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // the package root
            .path
        if FileManager.default.fileExists(atPath: fromSource + "/Package.swift") {
            return fromSource
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// An absolute path under the root.
    public static func path(_ relative: String) -> String {
        root + "/" + relative
    }

    /// scripts/pg-cluster.sh.
    static var clusterScript: String { path("scripts/pg-cluster.sh") }
}
