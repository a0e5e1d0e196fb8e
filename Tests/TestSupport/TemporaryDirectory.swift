import Foundation

/// A fresh directory under the system's temporary directory.
struct TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    let path: String

    /// Creates `<tmp>/chat-exporter-<prefix>-<random>`.
    init(prefix: String) throws {
        let base = FileManager.default.temporaryDirectory.path
        let random = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        path = "\(base)/chat-exporter-\(prefix)-\(random)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Removes the directory and everything in it; errors are ignored.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The file's contents decoded as UTF-8 (invalid bytes replaced), or "" when it can't be read.
    static func readText(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            return ""
        }
        return String(decoding: data, as: UTF8.self)
    }
}
