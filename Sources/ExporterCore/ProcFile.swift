import Foundation

/// Reads a file of `/proc` whole.
///
/// `/proc` files report a size of 0, and `String(contentsOfFile:)` stops after its first read: 3 990 of the
/// 10 757 bytes of a `/proc/self/maps` here, and `/proc/stat` outgrows one read on a machine with many CPUs.
/// This reads until the end of the file.
enum ProcFile {
    /// The text of `path`, or nil when it cannot be opened or read.
    static func read(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
