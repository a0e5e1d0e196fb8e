#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file as UTF-8 text, reporting failures the way the system names them.
enum TextFileReader {
    /// The contents of the file at `path`.
    ///
    /// - Throws: a ``ConfigError`` without position (`FILE: cannot read: <reason>`) when the file cannot
    ///   be opened or read, or is not valid UTF-8.
    static func read(path: String) throws(ConfigError) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw cannotRead(path, systemError: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw cannotRead(path, systemError: errno)
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: path, line: 0, column: 0, message: "cannot read: the file is not valid UTF-8 text")
        }
        return text
    }

    /// The C library's `read`, which the method `read(path:)` hides.
    static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
        #elseif canImport(Musl)
        Musl.read(descriptor, buffer, count)
        #else
        Darwin.read(descriptor, buffer, count)
        #endif
    }

    /// The error for a failed system call with `errno` `systemError`.
    static func cannotRead(_ path: String, systemError: Int32) -> ConfigError {
        ConfigError(file: path, line: 0, column: 0, message: "cannot read: \(String(cString: strerror(systemError)))")
    }
}
