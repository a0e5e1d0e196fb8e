import Synchronization

/// How many responses the server has queued, by status code, over the life of an ``HTTPServer`` (across
/// ``HTTPServer/replace(tls:headers:handler:grace:)``). libmicrohttpd's own error pages (400, 431, 505 for requests it
/// could not parse) are not counted: they never reach the server.
/// Also counts the connections closed because they sent no complete request within the connection timeout, and those
/// libmicrohttpd closed as soon as it accepted them, at the per-address connection limit.
final class ResponseCounter: Sendable {
    private let counts = Mutex<[Int: Int]>([:])
    private let closedWithoutRequestCount = Atomic<Int>(0)
    private let refusedAtLimitCount = Atomic<Int>(0)

    func record(_ status: Int) {
        counts.withLock { $0[status, default: 0] += 1 }
    }

    func recordClosedWithoutRequest(_ count: Int) {
        closedWithoutRequestCount.add(count, ordering: .relaxed)
    }

    func recordRefusedAtLimit() {
        refusedAtLimitCount.add(1, ordering: .relaxed)
    }

    var byStatus: [Int: Int] {
        counts.withLock { $0 }
    }

    var closedWithoutRequest: Int {
        closedWithoutRequestCount.load(ordering: .relaxed)
    }

    var refusedAtLimit: Int {
        refusedAtLimitCount.load(ordering: .relaxed)
    }
}
