internal import CMicroHTTPD
import Synchronization

/// A connection suspended while its deferred response is made. Whoever claims it first, the worker with the work's
/// response or a stopping daemon with a 503, leaves the response here and resumes the connection; the other leaves
/// it alone. libmicrohttpd then calls the access handler again, which sends the response.
final class Suspension: @unchecked Sendable {
    // @unchecked: `connection` is only used by the one that claimed the suspension, to resume it while it is still
    // suspended (libmicrohttpd neither times out nor closes a suspended connection).
    private let connection: OpaquePointer
    private let claimed = Atomic<Bool>(false)
    private let response = Mutex<HTTPResponse?>(nil)

    /// The client's host (address without port), for the per-client limit.
    let client: String?

    init(_ connection: OpaquePointer, client: String?) {
        self.connection = connection
        self.client = client
    }

    /// Whether someone claimed it already.
    var isClaimed: Bool { claimed.load(ordering: .sequentiallyConsistent) }

    /// Leaves `made` for the connection and resumes it, unless it was claimed before; whether this call did.
    func resume(with made: HTTPResponse) -> Bool {
        guard !claimed.exchange(true, ordering: .sequentiallyConsistent) else { return false }
        response.withLock { $0 = made }
        MHD_resume_connection(connection)
        return true
    }

    /// The response left for the connection (then nil again).
    func takeResponse() -> HTTPResponse? {
        response.withLock { stored in
            defer { stored = nil }
            return stored
        }
    }
}
