@testable import HTTPServer
import Testing

@Suite struct HTTPServerRequestTests {
    @Test func getReturnsStatusHeadersAndBodyExactly() throws {
        let server = try startServer { _ in
            .text("hello, world\n", headers: [HTTPHeader(name: "X-Custom", value: "a b c")])
        }
        defer { server.stop() }

        let response = try RawConnection.get(port: server.port, "/")

        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.header("X-Custom") == "a b c")
        #expect(response.header("Content-Length") == "13")
        #expect(response.body == Array("hello, world\n".utf8))
    }

    /// The configuration's headers go with the handler's responses and with the ones the server makes itself (here
    /// the 500s for a response it cannot send, inline and from deferred work); a field the response sets wins; a
    /// replacement's headers replace them.
    @Test func configuredHeadersGoWithEveryResponse() throws {
        let configuration = HTTPServerConfiguration(headers: [
            HTTPHeader(name: "X-Frame-Options", value: "DENY"), HTTPHeader(name: "X-Custom", value: "server"),
        ])
        let server = try startServer(configuration) { request in
            switch request.path {
            case "/own": return .text("own", headers: [HTTPHeader(name: "x-custom", value: "handler")])
            case "/invalid": return HTTPResponse(status: 42)
            case "/deferred-invalid": return .deferred { HTTPResponse(status: 42) }
            default: return .text("ok")
            }
        }
        defer { server.stop() }

        for path in ["/", "/invalid", "/deferred-invalid"] {
            let response = try RawConnection.get(port: server.port, path)
            #expect(response.status == (path == "/" ? 200 : 500), "\(path)")
            #expect(response.header("X-Frame-Options") == "DENY", "\(path)")
            #expect(response.header("X-Custom") == "server", "\(path)")
        }
        let own = try RawConnection.get(port: server.port, "/own")
        #expect(own.header("X-Custom") == "handler")
        #expect(own.headers.filter { $0.name.lowercased() == "x-custom" }.count == 1, "the response's field is not sent twice")
        #expect(own.header("X-Frame-Options") == "DENY")

        try server.replace(tls: nil, headers: [HTTPHeader(name: "X-Custom", value: "replaced")], handler: HTTPClosureHandler { _ in .text("new") })
        let replaced = try RawConnection.get(port: server.port, "/")
        #expect(replaced.header("X-Custom") == "replaced")
        #expect(replaced.header("X-Frame-Options") == nil)
    }

    @Test func binaryBodyIsSentUnchanged() throws {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let body = HTTPBody(bytes)
        let server = try startServer { _ in .body(contentType: "application/octet-stream", body) }
        defer { server.stop() }

        let response = try RawConnection.get(port: server.port, "/")

        #expect(response.status == 200)
        #expect(response.header("Content-Length") == "100000")
        #expect(response.body == bytes)
    }

    @Test func headReturnsHeadersWithoutBody() throws {
        let server = try startServer { _ in .text("twelve bytes") }
        defer { server.stop() }

        let response = try RawConnection.get(port: server.port, "/", method: "HEAD")

        #expect(response.status == 200)
        #expect(response.header("Content-Length") == "12")
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.body.isEmpty)
    }

    @Test func customStatusCodes() throws {
        let server = try startServer { request in
            switch request.path {
            case "/missing": .notFound
            case "/post-only": .methodNotAllowed(allowed: ["POST", "OPTIONS"])
            default: .text(status: 503, "not ready\n")
            }
        }
        defer { server.stop() }

        let notFound = try RawConnection.get(port: server.port, "/missing")
        #expect(notFound.status == 404)
        #expect(notFound.text == "not found\n")

        let notAllowed = try RawConnection.get(port: server.port, "/post-only")
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("Allow") == "POST, OPTIONS")

        let unavailable = try RawConnection.get(port: server.port, "/ready")
        #expect(unavailable.status == 503)
        #expect(unavailable.text == "not ready\n")
    }

    @Test func invalidStatusFromHandlerBecomes500() throws {
        let logs = LogRecorder()
        let server = try startServer(logs: logs) { _ in HTTPResponse(status: 42) }
        defer { server.stop() }

        let response = try RawConnection.get(port: server.port, "/")

        #expect(response.status == 500)
        #expect(logs.all.contains { $0.contains("invalid status 42") })
    }

    @Test func handlerSeesMethodPathQueryAndLowercasedHeaders() throws {
        let recorder = RequestRecorder()
        let server = try startServer { request in
            recorder.record(request)
            return .text("ok")
        }
        defer { server.stop() }

        _ = try RawConnection.get(
            port: server.port, "/some%20path/x?a=1&b=%20c&a=2",
            headers: ["X-Mixed-Case: Value", "X-Repeated: one", "x-repeated: two", "Accept-Encoding: gzip"]
        )
        _ = try RawConnection.get(port: server.port, "/plain")
        _ = try RawConnection.get(port: server.port, "/empty?")

        let requests = recorder.all
        try #require(requests.count == 3)
        let first = requests[0]
        #expect(first.method == "GET")
        #expect(first.path == "/some path/x")
        #expect(first.query == "a=1&b=%20c&a=2")
        #expect(first.headers["x-mixed-case"] == "Value")
        #expect(first.header("X-Mixed-Case") == "Value")
        #expect(first.headers["x-repeated"] == "one, two")
        #expect(first.headers["accept-encoding"] == "gzip")
        #expect(first.headers["host"] == "test")
        #expect(first.headers.keys.allSatisfy { $0 == $0.lowercased() })
        #expect(first.remoteAddress?.hasPrefix("127.0.0.1:") == true)
        #expect(first.clientCertificateVerified == nil)
        #expect(requests[1].path == "/plain")
        #expect(requests[1].query == nil)
        #expect(requests[2].path == "/empty")
        #expect(requests[2].query == "")
    }

    @Test func keepAliveConnectionServesSeveralRequests() throws {
        let server = try startServer { request in .text(request.path) }
        defer { server.stop() }

        let connection = try RawConnection(port: server.port)
        try connection.send("GET /one HTTP/1.1\r\nHost: test\r\n\r\nGET /two HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        let text = String(decoding: try connection.readToEnd(), as: UTF8.self)

        #expect(text.components(separatedBy: "HTTP/1.1 200").count == 3)
        #expect(text.hasSuffix("/two"))
        #expect(text.contains("/one"))
    }

    @Test func allInterfacesAcceptsIPv4AndIPv6Loopback() throws {
        let recorder = RequestRecorder()
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "", port: 0),
            handler: HTTPClosureHandler { request in
                recorder.record(request)
                return .text("ok")
            }
        )
        try server.start()
        defer { server.stop() }

        #expect(try RawConnection.get(host: "127.0.0.1", port: server.port).status == 200)
        #expect(try RawConnection.get(host: "::1", port: server.port).status == 200)
        let addresses = recorder.all.compactMap(\.remoteAddress)
        #expect(addresses.count == 2)
        #expect(addresses.first?.hasPrefix("127.0.0.1:") == true)
        #expect(addresses.last?.hasPrefix("[::1]:") == true)
    }

    @Test func ipv6HostInBrackets() throws {
        let server = try startServer(HTTPServerConfiguration(host: "[::1]")) { _ in .text("v6") }
        defer { server.stop() }

        #expect(try RawConnection.get(host: "::1", port: server.port).text == "v6")
        #expect(throws: (any Error).self) { try RawConnection(host: "127.0.0.1", port: server.port) }
    }
}
