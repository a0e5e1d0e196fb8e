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

    /// How long a pipe (`--config.file <(…)`, `/dev/stdin`) may take to deliver its whole content.
    public static let pipeDeadline: Duration = .seconds(5)

    /// The bytes of the file at `path`, read until the end of the file: a file of `/proc` reports a size of 0 and
    /// may take several reads. A regular file (or a symbolic link to one, as a Kubernetes secret is), or a pipe read
    /// within ``pipeDeadline`` (process substitution, `/dev/stdin`; a FIFO nobody writes to reads as empty at once);
    /// anything else is refused: a device such as `/dev/zero` would fill the memory, and a pipe read without a
    /// deadline blocked start-up, a reload and with it the shutdown. More than `limit` bytes are refused too.
    public static func bytes(path: String, limit: Int = defaultLimit) throws(ReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw ReadError(errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ReadError(errno: errno) }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFIFO else {
            throw kind == S_IFDIR ? ReadError(errno: EISDIR) : ReadError(reason: "not a regular file or a pipe")
        }
        let deadline = ContinuousClock.now + pipeDeadline
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                guard errno == EAGAIN || errno == EWOULDBLOCK else { throw ReadError(errno: errno) }
                // A pipe with nothing to read yet: wait for its writer, up to the deadline.
                let left = deadline - ContinuousClock.now
                guard left > .zero else { throw ReadError(reason: "the pipe did not deliver its content within \(pipeDeadline)") }
                var wait = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
                _ = poll(&wait, 1, milliseconds)
                continue
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
