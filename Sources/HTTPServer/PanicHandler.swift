internal import CMicroHTTPD
import Synchronization

/// libmicrohttpd's panic function is process-wide; it reports to the logger of the most recently
/// started server that has one, then stops the process (continuing after a panic is never safe).
enum PanicHandler {
    private static let logger = Mutex<(@Sendable (String) -> Void)?>(nil)

    private static let installation: Void = {
        MHD_set_panic_func(mhdPanic, nil)
    }()

    /// Installs the panic function (once) and makes `logger` the one it reports to.
    static func install(logger: (@Sendable (String) -> Void)?) {
        _ = installation
        if let logger {
            Self.logger.withLock { $0 = logger }
        }
    }

    /// Logs a panic and stops the process.
    static func panic(_ message: String) -> Never {
        let logger = Self.logger.withLock { $0 }
        logger?(message)
        fatalError(message)
    }
}

/// MHD_set_panic_func callback.
private func mhdPanic(
    _ cls: UnsafeMutableRawPointer?,
    _ file: UnsafePointer<CChar>?,
    _ line: UInt32,
    _ reason: UnsafePointer<CChar>?
) {
    let file = file.map { String(cString: $0) } ?? "?"
    let reason = reason.map { String(cString: $0) } ?? "unknown"
    PanicHandler.panic("libmicrohttpd panic at \(file):\(line): \(reason)")
}
