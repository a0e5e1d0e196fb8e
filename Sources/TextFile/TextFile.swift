#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files, reporting failures the way the system names them ("No such file or directory",
/// "Permission denied"), so that every file chat-exporter is given (the collectors file, the web config and the
/// certificates it names, a password file) fails with the reason.
public enum TextFile {
    /// The contents of the file at `path` as UTF-8 text.
    public static func text(path: String) throws(ReadError) -> String {
        guard let text = String(validating: try bytes(path: path), as: UTF8.self) else {
            throw ReadError(reason: "the file is not valid UTF-8 text")
        }
        return text
    }

    /// The bytes of the file at `path`, read until the end of the file: a file of `/proc` reports a size of 0 and
    /// may take several reads.
    public static func bytes(path: String) throws(ReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReadError(errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(errno: errno)
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Why a file could not be read.
    public struct ReadError: Error, CustomStringConvertible {
        /// The system's words for the failed `open` or `read` ("No such file or directory"), or what is wrong
        /// with the content.
        public let reason: String

        public var description: String { reason }

        init(reason: String) {
            self.reason = reason
        }

        init(errno code: Int32) {
            reason = String(cString: strerror(code))
        }
    }

    /// The C library's `read`.
    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
        #elseif canImport(Musl)
        Musl.read(descriptor, buffer, count)
        #else
        Darwin.read(descriptor, buffer, count)
        #endif
    }
}
