@testable import HTTPServer
import Foundation
import Synchronization
import Testing
import TestSupport

/// A server with several listeners: a daemon each, one handler, one set of counters; all start or none does.
@Suite struct HTTPServerListenersTests {
    @Test func everyListenerServesTheSameHandlerAndTheCountsAreTheServers() throws {
        var configuration = HTTPServerConfiguration()
        configuration.listeners = [.address(host: "127.0.0.1", port: 0), .address(host: "::1", port: 0)]
        let server = HTTPServer(configuration: configuration, handler: HTTPClosureHandler { request in .text("served \(request.path)") })
        try server.start()
        defer { server.stop() }

        let ports = server.ports
        try #require(ports.count == 2)
        #expect(server.addresses == ["127.0.0.1:\(ports[0])", "[::1]:\(ports[1])"])
        #expect(server.port == ports[0])
        #expect(try RawConnection.get(host: "127.0.0.1", port: ports[0], "/a").text == "served /a")
        #expect(try RawConnection.get(host: "::1", port: ports[1], "/b").text == "served /b")
        #expect(server.responsesByStatus[200] == 2, "one count for the server, whichever listener answered")

        try server.replace(tls: nil, headers: [HTTPHeader(name: "X-Reloaded", value: "yes")], handler: HTTPClosureHandler { _ in .text("new") })
        #expect(server.ports == ports, "each listener keeps its socket")
        for (host, port) in [("127.0.0.1", ports[0]), ("::1", ports[1])] {
            let response = try RawConnection.get(host: host, port: port)
            #expect(response.text == "new")
            #expect(response.header("X-Reloaded") == "yes")
        }
    }

    /// The second address is taken: the start fails naming it, and the first, already listening, is closed again
    /// (an exporter that cannot serve every address it was given does not half-serve).
    @Test func whenOneAddressCannotBeBoundNothingListens() throws {
        let taken = try #require(boundTCPSocket())
        defer { close(taken) }
        #expect(listen(taken, 4) == 0)
        let takenPort = try #require(localTCPPort(of: taken))
        // A free port for the first listener, so that the test can tell whether it still listens.
        let firstPort = freeTCPPort()

        var configuration = HTTPServerConfiguration()
        configuration.listeners = [.address(host: "127.0.0.1", port: firstPort), .address(host: "127.0.0.1", port: takenPort)]
        let server = HTTPServer(configuration: configuration, handler: HTTPClosureHandler { _ in .text("") })
        #expect(throws: HTTPServerError.cannotListen(address: "127.0.0.1:\(takenPort)", reason: "Address already in use")) {
            try server.start()
        }
        #expect(!server.isRunning)
        #expect(server.ports.isEmpty)
        #expect(throws: (any Error).self, "the first listener's socket is closed") {
            try RawConnection.get(port: firstPort)
        }
    }

    @Test func aListenerGivenTwiceIsRefused() throws {
        var configuration = HTTPServerConfiguration()
        configuration.listeners = [.address(host: "127.0.0.1", port: 9488), .address(host: "127.0.0.1", port: 9488)]
        #expect(throws: HTTPServerError.invalidConfiguration("an address or socket is listed twice")) {
            try HTTPServer(configuration: configuration, handler: HTTPClosureHandler { _ in .text("") }).start()
        }
        configuration.listeners = [.address(host: "127.0.0.1", port: 0), .address(host: "127.0.0.1", port: 0)]
        let twoFreePorts = HTTPServer(configuration: configuration, handler: HTTPClosureHandler { _ in .text("") })
        try twoFreePorts.start()
        defer { twoFreePorts.stop() }
        #expect(Set(twoFreePorts.ports).count == 2, "port 0 twice is two free ports")
        configuration.listeners = []
        #expect(throws: HTTPServerError.invalidConfiguration("no address or socket to listen on")) {
            try HTTPServer(configuration: configuration, handler: HTTPClosureHandler { _ in .text("") }).start()
        }
    }

    /// The deferred-work queue (password verifications) is the server's: with two listeners, still 16 places and one
    /// worker, not 16 and a core per address.
    @Test func theDeferredQueueIsTheServersWhateverItsListeners() throws {
        let gate = DispatchSemaphore(value: 0)
        let running = Atomic<Int>(0), mostAtOnce = Atomic<Int>(0)
        var configuration = HTTPServerConfiguration()
        configuration.listeners = [.address(host: "127.0.0.1", port: 0), .address(host: "127.0.0.1", port: 0)]
        let server = HTTPServer(configuration: configuration, handler: HTTPClosureHandler { _ in
            .deferred {
                let now = running.wrappingAdd(1, ordering: .relaxed).newValue
                mostAtOnce.max(now, ordering: .relaxed)
                _ = gate.wait(timeout: .now() + 30)
                running.wrappingSubtract(1, ordering: .relaxed)
                return .text("worked")
            }
        })
        try server.start()
        defer { server.stop() }
        let ports = server.ports
        // Half the places taken through each listener, from 16 addresses (2 per address at most).
        let waiting = (1...ServerContext.deferredLimit).map {
            exchangeInBackground(port: ports[$0 % 2], "/\($0)", source: "127.0.0.\(10 + $0)")
        }
        #expect(waitUntil { server.openRequestCount == ServerContext.deferredLimit }, "16 requests wait")
        for port in ports {
            let refused = try RawConnection.get(source: "127.0.0.50", port: port, "/one-too-many")
            #expect(refused.status == 503, "no place left on either listener: \(refused.status)")
        }
        for _ in 1...ServerContext.deferredLimit { gate.signal() }
        #expect(waitUntil { waiting.allSatisfy(\.isDone) })
        #expect(try waiting.allSatisfy { try $0.response().text == "worked" })
        #expect(mostAtOnce.load(ordering: .relaxed) == 1, "one worker for both listeners")
    }
}
