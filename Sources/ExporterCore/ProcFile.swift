#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file of `/proc` whole.
///
/// `/proc` files report a size of 0, and a reader that trusts the size or stops after one `read` gets part of
/// them: 3 990 of the 10 757 bytes of a `/proc/self/maps` here, and `/proc/stat` outgrows one read on a machine
/// with many CPUs. This reads until the end of the file.
enum ProcFile {
    /// The text of `path`, or nil when it cannot be opened or read.
    static func contents(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}
