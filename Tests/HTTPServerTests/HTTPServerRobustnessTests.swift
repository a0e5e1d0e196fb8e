@testable import HTTPServer
import Testing

@Suite struct HTTPServerRobustnessTests {
    /// A request that declares a body is answered as soon as its headers are in, and its connection closed: a client
    /// announcing 100 MB (or asking `Expect: 100-continue`) cannot hold a connection while it trickles the body in.
    @Test(arguments: ["", "Expect: 100-continue\r\n"])
    func aRequestDeclaringALargeBodyIsAnsweredWithoutWaitingForIt(expect: String) throws {
        let recorder = RequestRecorder()
        let server = try startServer(HTTPServerConfiguration(connectionTimeout: .seconds(60))) { request in
            recorder.record(request)
            return .text("got \(request.method)\n")
        }
        defer { server.stop() }

        let connection = try RawConnection(port: server.port)
        try connection.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100000000\r\n\(expect)\r\n")
        let bytes = try connection.readToEnd(timeout: .seconds(5))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("100 Continue"), "\(text)")
        let response = try RawResponse(parsing: bytes)
        #expect(response.status == 200)
        #expect(response.text == "got POST\n")
        #expect(try RawConnection.get(port: server.port, "/after").status == 200)
        #expect(recorder.all.map(\.path) == ["/upload", "/after"])
    }

    /// A GET that sends a small body anyway is answered and its connection closed: the body is never read as a
    /// request of its own.
    @Test func aBodyOnAGetIsNeverTakenForTheNextRequest() throws {
        let (server, recorder) = try echoingServer()
        defer { server.stop() }

        let connection = try RawConnection(port: server.port)
        try connection.send("GET /first HTTP/1.1\r\nHost: test\r\nContent-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
        let bytes = try connection.readToEnd(timeout: .seconds(5))
        #expect(try RawResponse(parsing: bytes).text == "got /first\n")
        #expect(recorder.all.map(\.path) == ["/first"])
    }

    /// Two Content-Length fields that disagree are answered 400 and the connection closed: whichever length a proxy
    /// in front believed, the bytes after the headers are never parsed as a request of their own (smuggling).
    /// Repeated identical values are allowed (RFC 9110).
    @Test(arguments: ["Content-Length: 0\r\nContent-Length: 34", "Content-Length: 34\r\nContent-Length: 0"])
    func conflictingContentLengthsAreRefused(lengths: String) throws {
        let (server, recorder) = try echoingServer()
        defer { server.stop() }

        let connection = try RawConnection(port: server.port)
        try connection.send("GET /first HTTP/1.1\r\nHost: test\r\n\(lengths)\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = String(decoding: try connection.readToEnd(timeout: .seconds(5)), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
        #expect(!text.contains("smuggled"), "\(text)")
        #expect(recorder.count == 0, "no request reached the handler")

        let same = try RawConnection.exchange(
            port: server.port, "GET /same HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(same.status == 200 && same.text == "got /same\n")
    }

    /// A server answering "got PATH" to every request, and the requests it saw.
    private func echoingServer() throws -> (HTTPServer, RequestRecorder) {
        let recorder = RequestRecorder()
        let server = try startServer { request in
            recorder.record(request)
            return .text("got \(request.path)\n")
        }
        return (server, recorder)
    }

    @Test func chunkedRequestBodyIsDiscarded() throws {
        let server = try startServer { request in .text("got \(request.method)\n") }
        defer { server.stop() }

        let response = try RawConnection.exchange(
            port: server.port,
            "PUT /x HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )

        #expect(response.status == 200)
        #expect(response.text == "got PUT\n")
    }

    @Test func oversizedHeadersAreRefusedWithoutCallingTheHandler() throws {
        let recorder = RequestRecorder()
        let server = try startServer(
            HTTPServerConfiguration(connectionTimeout: .seconds(2), connectionMemoryLimit: 8 * 1024)
        ) { request in
            recorder.record(request)
            return .text("ok")
        }
        defer { server.stop() }

        let huge = String(repeating: "a", count: 64 * 1024)
        let connection = try RawConnection(port: server.port)
        try? connection.send("GET / HTTP/1.1\r\nHost: test\r\nX-Huge: \(huge)\r\nConnection: close\r\n\r\n")
        let bytes = try connection.readToEnd()
        if !bytes.isEmpty {
            let status = try RawResponse(parsing: bytes).status
            #expect((400..<500).contains(status))
        }

        #expect(recorder.count == 0)
        #expect(try RawConnection.get(port: server.port, "/").status == 200)
        #expect(waitUntil { server.openRequestCount == 0 })
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET / HTTP/9.9\r\nHost: test\r\n\r\n",
        "GET / HTTP/1.1\r\nHost test no colon\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: banana\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "\u{0}\u{1}\u{2}\u{3}\u{ff}\u{fe}\r\n\r\n",
        " / HTTP/1.1\r\n\r\n",
        "\r\n\r\n\r\n\r\n",
    ])
    func malformedRequestsDoNotHurtTheServer(request: String) throws {
        let server = try startServer(HTTPServerConfiguration(connectionTimeout: .seconds(2))) { _ in .text("fine\n") }
        defer { server.stop() }

        let connection = try RawConnection(port: server.port)
        try? connection.send(request)
        // The server answers with an error or simply closes; either way it must not hang or crash.
        // Some requests are incomplete for ever (for example a huge Content-Length), so close after a while.
        _ = try? connection.readToEnd(timeout: .seconds(2))
        connection.close()

        let response = try RawConnection.get(port: server.port, "/")
        #expect(response.status == 200)
        #expect(response.text == "fine\n")
        #expect(waitUntil { server.openRequestCount == 0 })
    }

    /// Request state is released, at the latest when the connection times out: with epoll,
    /// libmicrohttpd 0.9.75 sometimes notices a client that sent part of a request and closed only
    /// at the connection timeout.
    @Test func randomBytesAndTruncatedRequestsDoNotHurtTheServer() throws {
        let server = try startServer(HTTPServerConfiguration(connectionTimeout: .seconds(2))) { _ in .text("fine\n") }
        defer { server.stop() }

        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let connection = try RawConnection(port: server.port)
            let count = Int.random(in: 1...4096, using: &generator)
            try? connection.send((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            if round.isMultiple(of: 2) {
                _ = try? connection.readToEnd(timeout: .milliseconds(200))
            }
            connection.close()
        }
        for truncated in ["GET / HT", "GET / HTTP/1.1\r\nHost: te", "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc"] {
            let connection = try RawConnection(port: server.port)
            try connection.send(truncated)
            connection.close()
        }

        #expect(try RawConnection.get(port: server.port, "/").text == "fine\n")
        #expect(waitUntil { server.openRequestCount == 0 })
    }

    @Test func connectionLimitIsEnforcedSurvivedAndRecoveredFrom() throws {
        let limit = 4
        let server = try startServer(
            HTTPServerConfiguration(connectionLimit: limit, connectionTimeout: .seconds(60), threadCount: 2)
        ) { _ in .text("ok") }
        defer { server.stop() }

        var idle: [RawConnection] = []
        for _ in 0..<(limit + 10) {
            idle.append(try RawConnection(port: server.port))
        }
        // At the limit libmicrohttpd stops accepting: further connections wait in the listen backlog.
        let waiting = try RawConnection(port: server.port)
        try waiting.send("GET /waiting HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        #expect(throws: ConnectionStillOpen.self) { try waiting.readToEnd(timeout: .seconds(1)) }
        #expect(server.isRunning)

        for connection in idle { connection.close() }
        idle.removeAll()

        // Freed slots let the waiting request through, and new ones are answered.
        let answer = try RawResponse(parsing: waiting.readToEnd(timeout: .seconds(10)))
        #expect(answer.status == 200)
        #expect(try RawConnection.get(port: server.port, "/").status == 200)
    }

    /// A client holding connections open with requests it never finishes gets `perAddressConnectionLimit` of them;
    /// the rest are closed at once, and other clients are still served.
    @Test func oneClientAddressCannotTakeEveryConnection() throws {
        let server = try startServer(
            HTTPServerConfiguration(connectionLimit: 8, perAddressConnectionLimit: 4, connectionTimeout: .seconds(60), threadCount: 1)
        ) { _ in .text("ok") }
        defer { server.stop() }

        var trickling: [RawConnection] = []
        for _ in 0..<8 {
            let connection = try RawConnection(source: "127.0.0.2", port: server.port)
            try connection.send("GET / HTTP/1.1\r\nHost: test\r\n")
            trickling.append(connection)
        }
        for connection in trickling[4...] {
            #expect(try connection.waitForServerClose(timeout: .seconds(5)), "a connection beyond the client's limit is closed")
        }
        #expect(server.connectionsRefusedAtLimit == 4, "each closed one is counted")
        #expect(try RawConnection.get(port: server.port, "/").status == 200, "another client is served")
        // The first four are the client's to finish.
        try trickling[0].send("Connection: close\r\n\r\n")
        #expect(try RawResponse(parsing: trickling[0].readToEnd(timeout: .seconds(5))).status == 200)
    }

    @Test func idleConnectionIsClosedAfterTheTimeout() throws {
        let server = try startServer(HTTPServerConfiguration(connectionTimeout: .seconds(1))) { _ in .text("ok") }
        defer { server.stop() }

        let start = ContinuousClock.now
        let connection = try RawConnection(port: server.port)
        #expect(try connection.waitForServerClose(timeout: .seconds(10)))
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(5))
        // Closed by libmicrohttpd's own inactivity timeout: not a slow client.
        #expect(server.connectionsClosedWithoutRequest == 0)
    }

    @Test func idleKeepAliveConnectionIsClosedAfterTheTimeout() throws {
        let server = try startServer(HTTPServerConfiguration(connectionTimeout: .seconds(1))) { _ in .text("ok") }
        defer { server.stop() }

        let connection = try RawConnection(port: server.port)
        try connection.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        let start = ContinuousClock.now
        let bytes = try connection.readToEnd(timeout: .seconds(10))
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    /// A client that sends its request headers a line at a time, never idle for the connection timeout, is closed
    /// once the timeout has passed without a complete request (as Go's ReadHeaderTimeout closes it): such clients,
    /// a few addresses' worth of the per-address limit, would otherwise hold every connection for ever. The handler
    /// never sees it; others are served.
    @Test func aClientTricklingItsHeadersIsClosedAfterTheTimeout() throws {
        let recorder = RequestRecorder()
        let server = try startServer(HTTPServerConfiguration(connectionTimeout: .seconds(1))) { request in
            recorder.record(request)
            return .text("ok")
        }
        defer { server.stop() }

        let connection = try RawConnection(port: server.port)
        try connection.send("GET /slow HTTP/1.1\r\nHost: test\r\n")
        let start = ContinuousClock.now
        var closed = false
        while !closed, ContinuousClock.now - start < .seconds(10) {
            try? connection.send("X-Slow: 1\r\n")
            closed = try connection.waitForServerClose(timeout: .milliseconds(300))
        }
        #expect(closed, "still open after 10 s of trickled headers")
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(recorder.count == 0)
        #expect(waitUntil(timeout: .seconds(5)) { server.connectionsClosedWithoutRequest == 1 }, "the closed connection is counted")
        #expect(try RawConnection.get(port: server.port, "/").status == 200)
    }

    /// A keep-alive client that asks again within the timeout keeps its connection, however long it lives: the
    /// clock restarts at every response.
    @Test func aKeepAliveClientAskingWithinTheTimeoutKeepsItsConnection() throws {
        let server = try startServer(HTTPServerConfiguration(connectionTimeout: .seconds(1))) { _ in .text("ok") }
        defer { server.stop() }
        let connection = try RawConnection(port: server.port)
        for _ in 0..<6 {
            try connection.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n")
            let answer = try connection.readResponse(timeout: .seconds(5))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(!(try connection.waitForServerClose(timeout: .milliseconds(500))), "closed while within the timeout")
        }
    }
}
