import Synchronization

/// How many responses the server has queued, by status code, over the life of an ``HTTPServer`` (across
/// ``HTTPServer/replace(tls:headers:handler:grace:)``). libmicrohttpd's own error pages (400, 431, 505 for requests it
/// could not parse) are not counted: they never reach the server.
final class ResponseCounter: Sendable {
    private let counts = Mutex<[Int: Int]>([:])

    func record(_ status: Int) {
        counts.withLock { $0[status, default: 0] += 1 }
    }

    var byStatus: [Int: Int] {
        counts.withLock { $0 }
    }
}
