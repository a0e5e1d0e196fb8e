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
    /// The most a file may hold unless a caller says otherwise: far more than any configuration, far less than
    /// what would exhaust memory.
    public static let defaultLimit = 16 << 20

    /// The contents of the file at `path` as UTF-8 text.
    public static func text(path: String, limit: Int = defaultLimit) throws(ReadError) -> String {
        guard let text = String(validating: try bytes(path: path, limit: limit), as: UTF8.self) else {
            throw ReadError(reason: "the file is not valid UTF-8 text")
        }
        return text
    }

    /// The bytes of the file at `path`, read until the end of the file: a file of `/proc` reports a size of 0 and
    /// may take several reads. Only a regular file (or a symbolic link to one, as a Kubernetes secret is): a FIFO
    /// would block start-up, a reload and with it the shutdown, and `/dev/zero` would fill the memory. Opened
    /// without blocking, so that a FIFO is refused at once; more than `limit` bytes are refused too.
    public static func bytes(path: String, limit: Int = defaultLimit) throws(ReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw ReadError(errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ReadError(errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw status.st_mode & S_IFMT == S_IFDIR ? ReadError(errno: EISDIR) : ReadError(reason: "not a regular file")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(errno: errno)
            }
            guard bytes.count + count <= limit else { throw ReadError(reason: "the file is larger than \(limit) bytes") }
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
