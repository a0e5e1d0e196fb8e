import Foundation

/// Where the package's files are, found from this source file's own path.
enum PackageLayout {
    /// The package root: the directory that holds Package.swift.
    static let root: String = {
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

    /// scripts/pg-cluster.sh.
    static var clusterScript: String { root + "/scripts/pg-cluster.sh" }
}
