#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file as UTF-8 text, reporting failures the way the system names them.
package enum TextFileReader {
    /// The contents of the file at `path`.
    ///
    /// - Throws: a ``ConfigError`` without position (`FILE: cannot read: <reason>`) when the file cannot
    ///   be opened or read, or is not valid UTF-8.
    static func read(path: String) throws(ConfigError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try Self.bytes(path: path)
        } catch {
            throw cannotRead(path, systemError: error.code)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: path, line: 0, column: 0, message: "cannot read: the file is not valid UTF-8 text")
        }
        return text
    }

    /// The bytes of the file at `path`, read until the end of the file: a file of `/proc` reports a size of 0 and
    /// may take several reads (ExporterCore's ProcFile reads them through this).
    ///
    /// - Throws: the `errno` of the `open` or `read` that failed.
    package static func bytes(path: String) throws(SystemError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError(code: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(code: errno)
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// A failed system call's `errno`.
    package struct SystemError: Error {
        package let code: Int32
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
