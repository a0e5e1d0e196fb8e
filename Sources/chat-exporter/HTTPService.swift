import HTTPServer
import Logging
import ServiceLifecycle

/// The HTTP server as a service: the server, already listening (``ServeCommand`` starts it before the collectors),
/// serves until graceful shutdown, then stops accepting and closes connections.
struct HTTPService: Service, CustomStringConvertible {
    var description: String { "http" }

    let server: HTTPServer
    let listenAddress: String
    let logger: Logger

    func run() async throws {
        logger.info("listening", metadata: ["address": "\(listenAddress)", "port": .stringConvertible(server.port)])
        try? await gracefulShutdown()
        server.stop()
        logger.info("stopped listening")
    }
}
