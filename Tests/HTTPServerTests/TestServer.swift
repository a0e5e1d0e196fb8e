@testable import HTTPServer
import Synchronization

/// Starts a server on 127.0.0.1 with a free port.
func startServer(
    _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
    logs: LogRecorder? = nil,
    _ respond: @escaping @Sendable (HTTPRequest) -> HTTPResponse
) throws -> HTTPServer {
    var configuration = configuration
    configuration.listeners = configuration.listeners.map { listener in
        if case .address("", let port) = listener { return .address(host: "127.0.0.1", port: port) }
        return listener
    }
    var logger: (@Sendable (String) -> Void)? = nil
    if let logs {
        logger = { logs.record($0) }
    }
    let server = HTTPServer(configuration: configuration, handler: HTTPClosureHandler(respond), logger: logger)
    try server.start()
    return server
}

/// Collects log lines.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    func record(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    var all: [String] { lines.withLock { $0 } }
}

/// Records the requests a handler saw.
final class RequestRecorder: Sendable {
    private let requests = Mutex<[HTTPRequest]>([])

    func record(_ request: HTTPRequest) {
        requests.withLock { $0.append(request) }
    }

    var all: [HTTPRequest] { requests.withLock { $0 } }
    var count: Int { requests.withLock { $0.count } }
}
