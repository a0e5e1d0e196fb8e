import TextFile

/// Reads a file of `/proc` whole.
///
/// `/proc` files report a size of 0, and a reader that trusts the size or stops after one `read` gets part of
/// them: 3 990 of the 10 757 bytes of a `/proc/self/maps` here, and `/proc/stat` outgrows one read on a machine
/// with many CPUs. TextFile reads until the end of the file.
enum ProcFile {
    /// The text of `path`, or nil when it cannot be opened or read.
    static func contents(_ path: String) -> String? {
        (try? TextFile.bytes(path: path)).map { String(decoding: $0, as: UTF8.self) }
    }
}
