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
        #expect(waitUntil { server.openRequestCount == 0 }, "and completed")
    }

    /// Deferred work runs one at a time, and a response it makes is checked like any other.
    @Test func deferredWorkRunsOneAtATimeAndItsResponsesAreChecked() throws {
        let running = Atomic<Int>(0)
        let mostAtOnce = Atomic<Int>(0)
        let server = try startServer { request in
            .deferred {
                let now = running.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
                mostAtOnce.max(now, ordering: .sequentiallyConsistent)
                usleep(20_000)
                running.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                switch request.path {
                case "/bad-status": return HTTPResponse(status: 42)
                case "/nested": return .deferred { .text("never") }
                default: return .text("done \(request.path)", headers: [HTTPHeader(name: "X-Deferred", value: "yes")])
                }
            }
        }
        defer { server.stop() }
        let exchanges = (1...6).map { exchangeInBackground(port: server.port, "/concurrent-\($0)", source: "127.0.0.\(10 + $0)") }
        #expect(waitUntil { exchanges.allSatisfy(\.isDone) })
        for (index, exchange) in exchanges.enumerated() {
            let response = try exchange.response()
            #expect(response.status == 200 && response.text == "done /concurrent-\(index + 1)" && response.header("x-deferred") == "yes")
        }
        let most = mostAtOnce.load(ordering: .sequentiallyConsistent)
        #expect(most == 1, "six requests sent at once, their work ran one at a time")
        #expect(try RawConnection.get(port: server.port, "/bad-status").status == 500)
        #expect(try RawConnection.get(port: server.port, "/nested").status == 500)
        let head = try RawConnection.get(port: server.port, "/head", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty && head.header("content-length") == "10")

        // Keep-alive: a deferred answer leaves the connection usable.
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /one HTTP/1.1\r\nHost: test\r\n\r\nGET /two HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        let both = String(decoding: try connection.readToEnd(), as: UTF8.self)
        #expect(both.contains("done /one") && both.contains("done /two"), "\(both)")
        #expect(waitUntil { server.openRequestCount == 0 }, "every deferred request completed")
    }

    /// With 16 deferred requests waiting, the next is answered 503 at once, with Retry-After and the configured headers.
    @Test func aFloodOfDeferredWorkIsCapped() throws {
        let gate = DispatchSemaphore(value: 0)
        let started = Atomic<Int>(0)
        let server = try startServer(HTTPServerConfiguration(headers: [HTTPHeader(name: "X-Frame-Options", value: "deny")])) { _ in
            .deferred {
                started.wrappingAdd(1, ordering: .relaxed)
                _ = gate.wait(timeout: .now() + 30)
                return .text("worked")
            }
        }
        defer { server.stop() }
        // From 16 addresses: one address may have only ServerContext.deferredLimitPerClient waiting.
        let waiting = (1...ServerContext.deferredLimit).map { exchangeInBackground(port: server.port, "/\($0)", source: "127.0.0.\(10 + $0)") }
        #expect(waitUntil { server.openRequestCount == ServerContext.deferredLimit }, "16 requests wait")
        let refused = try RawConnection.get(source: "127.0.0.50", port: server.port, "/one-too-many")
        #expect(refused.status == 503 && refused.header("retry-after") == "1" && refused.header("x-frame-options") == "deny")
        for _ in 1...ServerContext.deferredLimit { gate.signal() }
        #expect(waitUntil { waiting.allSatisfy(\.isDone) })
        #expect(try waiting.allSatisfy { try $0.response().text == "worked" })
        #expect(started.load(ordering: .relaxed) == ServerContext.deferredLimit, "the refused request's work never ran")
    }

    /// One client address may have only ServerContext.deferredLimitPerClient requests waiting: its next one is
    /// answered 429 at once, while another address's request is still taken. A client sending wrong passwords on
    /// many connections used to fill all 16 places, and a scraper with new credentials only ever got 503.
    @Test func oneClientCannotTakeEveryPlace() throws {
        let gate = DispatchSemaphore(value: 0)
        let server = try startServer(HTTPServerConfiguration(headers: [HTTPHeader(name: "X-Frame-Options", value: "deny")])) { _ in
            .deferred {
                _ = gate.wait(timeout: .now() + 30)
                return .text("worked")
            }
        }
        defer { server.stop() }
        let flooder = (1...ServerContext.deferredLimitPerClient).map { exchangeInBackground(port: server.port, "/flood-\($0)", source: "127.0.0.3") }
        #expect(waitUntil { server.openRequestCount == ServerContext.deferredLimitPerClient })
        let refused = try RawConnection.get(source: "127.0.0.3", port: server.port, "/flood-more")
        #expect(refused.status == 429 && refused.header("retry-after") == "1" && refused.header("x-frame-options") == "deny", "\(refused.status)")
        let scraper = exchangeInBackground(port: server.port, "/scrape", source: "127.0.0.4")
        #expect(waitUntil { server.openRequestCount == ServerContext.deferredLimitPerClient + 1 }, "another address still waits its turn")
        for _ in 0...ServerContext.deferredLimitPerClient { gate.signal() }
        #expect(waitUntil { scraper.isDone && flooder.allSatisfy(\.isDone) })
        #expect(try scraper.response().text == "worked")
    }

    /// Stopping answers the deferred requests 503 at once, without waiting for the work in progress, never runs the
    /// work queued behind it, and returns; started again, the server runs deferred work again.
    @Test func stoppingAnswersDeferredRequestsAtOnce() throws {
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
        // The work in progress waits for the gate for 30 s: stop does not.
        #expect(waitUntil(timeout: .seconds(10)) { stopped.load(ordering: .relaxed) }, "stop returns while the work is in progress")
        #expect(waitUntil { first.isDone && second.isDone }, "both clients are answered")
        #expect(try first.response().status == 503)
        #expect(try second.response().status == 503)
        gate.signal()  // the work in progress ends; its response is dropped

        try server.start()
        defer { server.stop() }
        gate.signal()
        let again = try RawConnection.get(port: server.port, "/again")
        #expect(again.status == 200 && again.text == "worked")
        // The same worker ran /again after whatever was queued before it.
        #expect(started.withLock { $0 } == ["/first", "/again"], "the queued work never ran")
    }
}
