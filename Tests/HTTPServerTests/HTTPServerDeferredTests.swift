@testable import HTTPServer
import Foundation
import Synchronization
import Testing

/// `HTTPResponse.deferred`: slow work runs off the HTTP thread while other connections are answered.
@Suite struct HTTPServerDeferredTests {
    /// While deferred work is in progress (as a bcrypt verification would be), another connection is answered, by
    /// the only HTTP thread (chat-exporter's default --web.threads).
    @Test func deferredWorkDoesNotHoldUpOtherConnections() throws {
        let gate = DispatchSemaphore(value: 0)
        let working = Atomic<Bool>(false)
        var oneThread = HTTPServerConfiguration()
        oneThread.threadCount = 1
        let server = try startServer(oneThread) { request in
            guard request.path == "/slow" else { return .text("fast") }
            return .deferred {
                working.store(true, ordering: .relaxed)
                _ = gate.wait(timeout: .now() + 30)
                return .text(status: 401, "slow")
            }
        }
        defer { server.stop() }
        let slow = exchangeInBackground(port: server.port, "/slow")
        #expect(waitUntil { working.load(ordering: .relaxed) }, "the deferred work started")

        // Were the work on the HTTP thread, this would wait for the gate (30 s) and time out (10 s).
        let fast = try RawConnection.get(port: server.port, "/")
        #expect(fast.status == 200 && fast.text == "fast")
        #expect(!slow.isDone, "the deferred request is still waiting")

        gate.signal()
        #expect(waitUntil { slow.isDone }, "the deferred request is answered")
        let answer = try slow.response()
        #expect(answer.status == 401 && answer.text == "slow")
    }

    /// Deferred work runs one at a time, in order, and a response it makes is checked like any other.
    @Test func deferredWorkRunsInOrderAndItsResponsesAreChecked() throws {
        let order = Mutex<[String]>([])
        let server = try startServer { request in
            .deferred {
                order.withLock { $0.append(request.path) }
                switch request.path {
                case "/bad-status": return HTTPResponse(status: 42)
                case "/nested": return .deferred { .text("never") }
                default: return .text("done \(request.path)", headers: [HTTPHeader(name: "X-Deferred", value: "yes")])
                }
            }
        }
        defer { server.stop() }
        let plain = try RawConnection.get(port: server.port, "/plain")
        #expect(plain.status == 200 && plain.text == "done /plain" && plain.header("x-deferred") == "yes")
        #expect(try RawConnection.get(port: server.port, "/bad-status").status == 500)
        #expect(try RawConnection.get(port: server.port, "/nested").status == 500)
        #expect(order.withLock { $0 } == ["/plain", "/bad-status", "/nested"])

        // Keep-alive: a deferred answer leaves the connection usable.
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /one HTTP/1.1\r\nHost: test\r\n\r\nGET /two HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        let both = String(decoding: try connection.readToEnd(), as: UTF8.self)
        #expect(both.contains("done /one") && both.contains("done /two"), "\(both)")
    }

    /// Stopping waits for the work in progress, does not run the work queued behind it, and returns; started again,
    /// the server runs deferred work again.
    @Test func stoppingFinishesTheWorkInProgressAndSkipsTheRest() throws {
        let gate = DispatchSemaphore(value: 0)
        let started = Mutex<[String]>([])
        let server = try startServer { request in
            .deferred {
                started.withLock { $0.append(request.path) }
                _ = gate.wait(timeout: .now() + 30)
                return .text("worked")
            }
        }
        let first = exchangeInBackground(port: server.port, "/first")
        #expect(waitUntil { started.withLock { $0 } == ["/first"] })
        let second = exchangeInBackground(port: server.port, "/second")
        #expect(waitUntil { server.openRequestCount == 2 }, "the second request is waiting behind the first")

        let stopped = Atomic<Bool>(false)
        Thread.detachNewThread {
            server.stop()
            stopped.store(true, ordering: .relaxed)
        }
        usleep(200_000)
        let stoppedEarly = stopped.load(ordering: .relaxed)
        #expect(!stoppedEarly, "stop waits for the work in progress")
        gate.signal()
        #expect(waitUntil { stopped.load(ordering: .relaxed) }, "then it stops")
        #expect(started.withLock { $0 } == ["/first"], "the queued work never ran")
        #expect(waitUntil { first.isDone && second.isDone }, "both clients are done")
        if let answer = try? second.response() {
            #expect(answer.status == 503, "if anything, the queued request is told the server is stopping")
        }

        try server.start()
        defer { server.stop() }
        gate.signal()
        let again = try RawConnection.get(port: server.port, "/again")
        #expect(again.status == 200 && again.text == "worked")
    }

    /// Sends a GET of `path` on a thread of its own.
    private func exchangeInBackground(port: Int, _ path: String) -> BackgroundExchange {
        let exchange = BackgroundExchange()
        Thread.detachNewThread {
            let outcome = Result { try RawConnection.get(port: port, path) }
            exchange.outcome.withLock { $0 = outcome }
        }
        return exchange
    }
}

/// A request sent on a thread of its own: its outcome appears when the exchange ends.
private final class BackgroundExchange: Sendable {
    let outcome = Mutex<Result<RawResponse, any Error>?>(nil)

    /// Whether the exchange ended.
    var isDone: Bool { outcome.withLock { $0 != nil } }

    /// The response; throws what the exchange threw, or when it has not ended.
    func response() throws -> RawResponse {
        guard let result = outcome.withLock({ $0 }) else { throw TestClientError("the exchange has not ended") }
        return try result.get()
    }
}
