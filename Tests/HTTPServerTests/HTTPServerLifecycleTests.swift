@testable import HTTPServer
import Glibc
import Testing
import TestSupport

@Suite struct HTTPServerLifecycleTests {
    @Test func portInUseGivesAClearError() throws {
        let first = try startServer { _ in .text("first") }
        defer { first.stop() }
        let port = first.port
        #expect(port > 0)

        let logs = LogRecorder()
        let second = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port),
            handler: HTTPClosureHandler { _ in .text("second") },
            logger: { logs.record($0) }
        )
        let error = #expect(throws: HTTPServerError.self) { try second.start() }

        #expect(error == .cannotListen(address: "127.0.0.1:\(port)", reason: "Address already in use"))
        #expect(error?.description == "cannot listen on 127.0.0.1:\(port): Address already in use")
        #expect(logs.all.contains { $0.hasPrefix("libmicrohttpd: ") && $0.contains("Address already in use") })
        #expect(!second.isRunning)
        #expect(try RawConnection.get(port: port).text == "first")
    }

    @Test func unresolvableHostGivesAClearError() {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "no-such-host.invalid", port: 0),
            handler: HTTPClosureHandler { _ in .text("") }
        )
        let error = #expect(throws: HTTPServerError.self) { try server.start() }
        #expect(error?.description.hasPrefix("cannot listen on no-such-host.invalid:0: cannot resolve host: ") == true)
    }

    @Test func stopIsIdempotentAndAStoppedServerRefusesConnections() throws {
        let server = try startServer { _ in .text("up") }
        let port = server.port
        #expect(server.isRunning)
        #expect(try RawConnection.get(port: port).text == "up")

        server.stop()
        server.stop()

        #expect(!server.isRunning)
        #expect(server.openRequestCount == 0)
        let error = #expect(throws: TestClientError.self) { try RawConnection(port: port) }
        #expect(error?.description == TestClientError.connect(errno: ECONNREFUSED).description)
    }

    @Test func stoppedServerCanStartAgainButNotTwice() throws {
        let server = try startServer { _ in .text("again") }
        #expect(throws: HTTPServerError.alreadyRunning) { try server.start() }
        server.stop()

        try server.start()
        defer { server.stop() }
        #expect(try RawConnection.get(port: server.port).text == "again")
    }

    @Test func stopClosesOpenConnections() throws {
        let server = try startServer(HTTPServerConfiguration(connectionTimeout: .seconds(60))) { _ in .text("") }
        let connection = try RawConnection(port: server.port)
        try connection.send("GET / HTTP/1.1\r\nHost: te")  // an unfinished request

        server.stop()

        #expect(try connection.waitForServerClose(timeout: .seconds(5)))
        #expect(server.openRequestCount == 0)
    }

    @Test(arguments: [
        HTTPServerConfiguration(port: 70_000),
        HTTPServerConfiguration(connectionLimit: 0),
        HTTPServerConfiguration(threadCount: 0),
        HTTPServerConfiguration(connectionTimeout: .seconds(-1)),
        HTTPServerConfiguration(connectionMemoryLimit: 10),
        HTTPServerConfiguration(
            tls: TLSConfiguration(certificatePEM: "x", privateKeyPEM: "y", clientAuth: .requireAndVerify)
        ),
        HTTPServerConfiguration(
            tls: TLSConfiguration(certificatePEM: "x", privateKeyPEM: "y", clientCAPEM: "z", clientAuth: .none)
        ),
    ])
    func invalidConfigurationIsRejected(configuration: HTTPServerConfiguration) {
        let server = HTTPServer(configuration: configuration, handler: HTTPClosureHandler { _ in .text("") })
        let error = #expect(throws: HTTPServerError.self) { try server.start() }
        guard case .invalidConfiguration = error else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
    }

    @Test func connectionTimeoutIsRoundedUpToWholeSeconds() {
        #expect(HTTPServerConfiguration(connectionTimeout: .milliseconds(1500)).connectionTimeoutSeconds == 2)
        #expect(HTTPServerConfiguration(connectionTimeout: .seconds(10)).connectionTimeoutSeconds == 10)
        #expect(HTTPServerConfiguration(connectionTimeout: .zero).connectionTimeoutSeconds == 0)
    }

    /// A listening socket the process was handed (systemd's socket activation) is served instead of binding the
    /// configured address, on its own port; the server serves a copy, so it can stop and start again on it. A socket
    /// that does not listen is refused before anything starts.
    @Test func aHandedListeningSocketIsServedAndOutlivesAStop() throws {
        let handed = try #require(boundTCPSocket())
        defer { close(handed) }

        var configuration = HTTPServerConfiguration()
        configuration.listeners = [.socket(handed)]
        let server = HTTPServer(configuration: configuration, handler: HTTPClosureHandler { _ in .text("handed") })
        #expect(throws: HTTPServerError.invalidConfiguration("file descriptor \(handed) is not a listening TCP socket")) { try server.start() }

        #expect(listen(handed, 16) == 0)
        try server.start()
        let port = server.port
        #expect(port > 0, "the handed socket's port")
        #expect(try RawConnection.get(port: port, "/").text == "handed")
        server.stop()
        try server.start()
        defer { server.stop() }
        #expect(try RawConnection.get(port: port, "/").text == "handed", "served again after a stop: the handed socket stayed open")

        // A reload's new daemon takes over on it, and the old one, retired, leaves it listening; so does a stop.
        try server.replace(tls: nil, headers: [], handler: HTTPClosureHandler { _ in .text("replaced") })
        #expect(try RawConnection.get(port: port, "/").text == "replaced")
        server.stop()
        #expect(HTTPListener.isListeningTCPSocket(handed), "systemd's copy still listens")
        try server.start()
        #expect(try RawConnection.get(port: port, "/").text == "replaced")
    }
}
