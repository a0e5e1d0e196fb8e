import Foundation

/// A fresh directory under the system's temporary directory.
public struct TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates `<tmp>/chat-exporter-<prefix>-<random>`. `reachableByOthers`: mode 0755 whatever the umask, for a
    /// directory another user (the `postgres` user of a test cluster, pgbouncer) must read.
    public init(prefix: String, reachableByOthers: Bool = false) throws {
        let base = FileManager.default.temporaryDirectory.path
        let random = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        path = "\(base)/chat-exporter-\(prefix)-\(random)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if reachableByOthers {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }

    /// Removes the directory and everything in it; errors are ignored.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The file's contents decoded as UTF-8 (invalid bytes replaced), or "" when it can't be read.
    public static func readText(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            return ""
        }
        return String(decoding: data, as: UTF8.self)
    }
}
