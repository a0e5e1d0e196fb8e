import Foundation
import Glibc
import Synchronization
import TestSupport

/// A tiny HTTP server on 127.0.0.1 that stands in for Alertmanager's webhook receivers: it answers every
/// request 200 and keeps the JSON bodies it was sent. One thread accepts and serves connections one at a
/// time (Alertmanager sends few, small notifications).
final class WebhookReceiver: Sendable {
    let port: Int
    private let listener: Int32
    private let stopped = Mutex(false)
    private let bodies = Mutex<[String]>([])
    private let finished = Mutex(false)

    init() throws {
        guard let descriptor = boundTCPSocket() else { throw TestSupportError("socket/bind: \(String(cString: strerror(errno)))") }
        guard listen(descriptor, 16) == 0, let port = localTCPPort(of: descriptor) else {
            close(descriptor)
            throw TestSupportError("listen: \(String(cString: strerror(errno)))")
        }
        listener = descriptor
        self.port = port
        let thread = Thread { [self] in serve() }
        thread.name = "webhook-receiver"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Stops accepting and closes the socket (waits up to a second for the thread).
    func stop() {
        let already = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !already else { return }
        let deadline = ContinuousClock.now + .seconds(1)
        while !finished.withLock({ $0 }) && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        close(listener)
    }

    /// The URL to put in a webhook_config.
    var url: String { "http://127.0.0.1:\(port)/alerts" }

    /// Every body received so far.
    var received: [String] { bodies.withLock { $0 } }

    /// Every alert of every notification received so far (Alertmanager's webhook payload `alerts`).
    func alerts() -> [[String: Any]] {
        received.flatMap { body -> [[String: Any]] in
            guard let payload = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return [] }
            return payload.objects("alerts")
        }
    }

    private func serve() {
        defer { finished.withLock { $0 = true } }
        while !stopped.withLock({ $0 }) {
            var request = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&request, 1, 100) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            if let body = readRequestBody(connection) {
                bodies.withLock { $0.append(body) }
            }
            let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
            _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(connection)
        }
    }

    /// Reads one request (headers, then Content-Length bytes) within 5 seconds; its body.
    private func readRequestBody(_ connection: Int32) -> String? {
        let deadline = ContinuousClock.now + .seconds(5)
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var expected: Int?
        var headerEnd = 0
        while ContinuousClock.now < deadline {
            if expected == nil, let end = find(Array("\r\n\r\n".utf8), in: buffer) {
                headerEnd = end + 4
                let head = String(decoding: buffer[..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                expected = headerEnd + length
            }
            if let expected, buffer.count >= expected {
                return String(decoding: buffer[headerEnd..<expected], as: UTF8.self)
            }
            var request = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&request, 1, 100) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            buffer.append(contentsOf: chunk[0..<count])
        }
        return nil
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
