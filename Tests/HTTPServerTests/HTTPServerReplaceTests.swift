@testable import HTTPServer
import Foundation
import Synchronization
import Testing
import TestSupport

/// `replace(tls:headers:handler:)`: a running server takes new TLS material, headers and a new handler on the socket it listens on.
@Suite struct HTTPServerReplaceTests {
    @Test func theNewHandlerAnswersOnTheSamePort() throws {
        let server = try startServer { _ in .text("first") }
        defer { server.stop() }
        let port = server.port
        #expect(try RawConnection.get(port: port).text == "first")

        try server.replace(tls: nil, headers: [], handler: HTTPClosureHandler { _ in .text("second") })

        #expect(server.port == port)
        #expect(try RawConnection.get(port: port).text == "second")
        #expect(try RawConnection.get(port: port).text == "second", "and again: the socket is still served")
        #expect(listeningDescriptors(port: port) == 1, "the old daemon's descriptor is closed")
    }

    /// A request the old handler is answering when the server is replaced gets its answer, which tells a keep-alive
    /// client to close the connection (its next request goes to the new daemon).
    @Test func aRequestInFlightIsAnswered() throws {
        let started = Atomic<Bool>(false)
        let server = try startServer { _ in
            started.store(true, ordering: .relaxed)
            usleep(500_000)  // the handler is still at work while the server is replaced
            return .text("old, slow")
        }
        defer { server.stop() }
        let port = server.port
        // Keep-alive: the client does not ask to close.
        let answer = BackgroundExchange { try RawConnection.exchange(port: port, "GET / HTTP/1.1\r\nHost: test\r\n\r\n") }
        try waitUntil(timeout: .seconds(10), "the old handler has the request") { started.load(ordering: .relaxed) }

        try server.replace(tls: nil, headers: [], handler: HTTPClosureHandler { _ in .text("new") })

        try waitUntil(timeout: .seconds(10), "the request in flight is answered") { answer.isDone }
        let response = try answer.response()
        #expect(response.text == "old, slow")
        #expect(response.header("connection")?.lowercased() == "close")
        #expect(try RawConnection.get(port: port).text == "new")
    }

    @Test func aRotatedCertificateIsServedOnTheSamePort() throws {
        let material = try TLSMaterial()
        let server = try tlsServer(material, answering: "secure")
        defer { server.stop() }
        let port = server.port
        #expect(try subject(port: port, material) == "CN=localhost")

        try server.replace(
            tls: TLSConfiguration(certificatePEM: material.pem("rotated.pem"), privateKeyPEM: material.pem("rotated.key")),
            headers: [], handler: HTTPClosureHandler { _ in .text("rotated") })

        #expect(try subject(port: port, material) == "CN=rotated.localhost")
        let result = try Curl.get(port: port, in: material)
        #expect(result.httpStatus == 200 && result.body == "rotated", "\(result.standardError)")
        #expect(server.configuration.tls?.certificatePEM == (try material.pem("rotated.pem")))
    }

    /// A certificate and key that do not belong together: libmicrohttpd refuses them, and the server goes on
    /// serving with what it had.
    @Test func unusableMaterialLeavesTheServerAsItWas() throws {
        let material = try TLSMaterial()
        let server = try tlsServer(material, answering: "still here")
        defer { server.stop() }
        let port = server.port

        let error = #expect(throws: HTTPServerError.self) {
            try server.replace(
                tls: TLSConfiguration(certificatePEM: material.pem("rotated.pem"), privateKeyPEM: material.pem("server.key")),
                headers: [], handler: HTTPClosureHandler { _ in .text("never") })
        }

        guard case .invalidConfiguration(let reason) = error, reason.hasPrefix("the certificate and key: ") else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(server.isRunning && server.port == port)
        let result = try Curl.get(port: port, in: material)
        #expect(result.httpStatus == 200 && result.body == "still here", "\(result.standardError)")
        #expect(try subject(port: port, material) == "CN=localhost")
        #expect(server.configuration.tls?.certificatePEM == (try material.pem("server.pem")))
        #expect(listeningDescriptors(port: port) == 1, "the socket's copies are closed, none leaks")
    }

    @Test func aStoppedServerStartsWithWhatItWasGiven() throws {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0),
            handler: HTTPClosureHandler { _ in .text("old") })
        try server.replace(tls: nil, headers: [], handler: HTTPClosureHandler { _ in .text("new") })
        #expect(!server.isRunning)
        try server.start()
        defer { server.stop() }
        #expect(try RawConnection.get(port: server.port).text == "new")
    }

    /// A server with the material's `server.pem` and `server.key` that answers `text` to every request.
    private func tlsServer(_ material: TLSMaterial, answering text: String) throws -> HTTPServer {
        try startServer(
            HTTPServerConfiguration(
                tls: TLSConfiguration(certificatePEM: material.pem("server.pem"), privateKeyPEM: material.pem("server.key")))
        ) { _ in .text(text) }
    }

    /// How many of this process's file descriptors refer to the socket listening on `port` (127.0.0.1, from
    /// /proc/net/tcp).
    private func listeningDescriptors(port: Int) -> Int {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return -1 }
        let local = String(format: "0100007F:%04X", port)
        var inode: Substring?
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count > 9, fields[1] == local, fields[3] == "0A" {
                inode = fields[9]
                break
            }
        }
        guard let inode else { return -1 }
        let target = "socket:[\(inode)]"
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == target }.count
    }

    /// The subject of the certificate the server presents, as curl reports it (`CN=...`).
    private func subject(port: Int, _ material: TLSMaterial) throws -> String? {
        let result = try Curl.get(port: port, extraArguments: ["-v"], in: material)
        return result.standardError.split(separator: "\n")
            .first { $0.contains("subject: ") }
            .map { String($0[$0.range(of: "subject: ")!.upperBound...]).trimmingCharacters(in: .whitespaces) }
    }
}
