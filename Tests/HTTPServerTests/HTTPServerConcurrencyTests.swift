@testable import HTTPServer
import Foundation
import Synchronization
import Testing

@Suite struct HTTPServerConcurrencyTests {
    /// A weak reference to a body, to see that libmicrohttpd released it.
    final class WeakBody: @unchecked Sendable {
        weak var body: HTTPBody?
        init(_ body: HTTPBody) { self.body = body }
    }

    @Test func manyThreadsManyRequestsAllAnsweredAndBodiesReleased() throws {
        let threads = 8
        let requestsPerThread = 200
        let issued = Mutex<[WeakBody]>([])
        let sharedBytes = (0..<20_000).map { UInt8(truncatingIfNeeded: $0) }
        let weakShared: WeakBody

        do {
            let sharedBody = HTTPBody(sharedBytes)
            weakShared = WeakBody(sharedBody)
            let server = try startServer(HTTPServerConfiguration(threadCount: 2)) { request in
                if request.path == "/shared" {
                    return .body(contentType: "application/octet-stream", sharedBody)
                }
                // A fresh body per request, tracked so that its release can be checked.
                let body = HTTPBody(string: "reply to \(request.query ?? "")")
                issued.withLock { $0.append(WeakBody(body)) }
                return .body(contentType: "text/plain", body)
            }
            defer { server.stop() }

            let failures = Mutex<[String]>([])
            let group = DispatchGroup()
            for thread in 0..<threads {
                group.enter()
                Thread {
                    defer { group.leave() }
                    for index in 0..<requestsPerThread {
                        do {
                            if index.isMultiple(of: 2) {
                                let response = try RawConnection.get(port: server.port, "/fresh?\(thread)-\(index)")
                                if response.status != 200 || response.text != "reply to \(thread)-\(index)" {
                                    failures.withLock { $0.append("\(thread)-\(index): \(response.status) \(response.text)") }
                                }
                            } else {
                                let response = try RawConnection.get(port: server.port, "/shared")
                                if response.status != 200 || response.body != sharedBytes {
                                    failures.withLock { $0.append("\(thread)-\(index): shared body differs") }
                                }
                            }
                        } catch {
                            failures.withLock { $0.append("\(thread)-\(index): \(error)") }
                        }
                    }
                }.start()
            }
            #expect(group.wait(timeout: .now() + 120) == .success)
            #expect(failures.withLock { $0 } == [])
            #expect(issued.withLock { $0.count } == threads * requestsPerThread / 2)

            // Every response's retain on its body is released once libmicrohttpd is done with it,
            // while the server keeps running.
            #expect(waitUntil { issued.withLock { list in list.allSatisfy { $0.body == nil } } })
            #expect(waitUntil { server.openRequestCount == 0 })
        }
        // The server and its handler are gone, and with them the last reference to the shared body. The client
        // threads' closures capture the server too; Foundation releases them a moment after each thread ends.
        #expect(waitUntil { weakShared.body == nil })
    }

    @Test func droppingTheServerReleasesHandlerAndBodies() throws {
        final class Weak: @unchecked Sendable {
            weak var server: HTTPServer?
            weak var body: HTTPBody?
        }
        let weak = Weak()
        do {
            let body = HTTPBody(string: "shared")
            weak.body = body
            let server = try startServer { _ in .text("x", headers: []).withBody(body) }
            weak.server = server
            for _ in 0..<20 {
                #expect(try RawConnection.get(port: server.port).text == "shared")
            }
            // No explicit stop: deinit stops the daemon.
        }
        #expect(weak.server == nil)
        #expect(weak.body == nil)
    }
}

extension HTTPResponse {
    func withBody(_ body: HTTPBody) -> HTTPResponse {
        var copy = self
        copy.body = body
        return copy
    }
}
