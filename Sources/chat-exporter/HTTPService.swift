import HTTPServer
import Logging
import ServiceLifecycle

/// The HTTP server as a service: the server, already listening (``ServeCommand`` starts it before the collectors),
/// serves until graceful shutdown, then stops accepting and closes connections.
struct HTTPService: Service, CustomStringConvertible {
    var description: String { "http" }

    let server: HTTPServer
    let logger: Logger

    func run() async throws {
        for (address, port) in zip(server.addresses, server.ports) {
            logger.info("listening", metadata: ["address": "\(address)", "port": .stringConvertible(port)])
        }
        try? await gracefulShutdown()
        server.stop()
        logger.info("stopped listening")
    }
}
