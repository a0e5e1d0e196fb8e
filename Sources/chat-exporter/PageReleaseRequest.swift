import Synchronization

/// Set by work that runs once in a while and touches code the steady state does not (a SIGHUP reload reads and
/// validates files and starts an HTTP daemon); HeapTrimService then releases the executable's and the libraries'
/// pages at its next minute, as after start-up.
final class PageReleaseRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    /// Asks for a release at the next minute.
    func request() {
        requested.store(true, ordering: .relaxed)
    }

    /// Whether a release was asked for since the last call.
    func take() -> Bool {
        requested.exchange(false, ordering: .relaxed)
    }
}
