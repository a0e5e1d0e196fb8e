import Foundation
import Synchronization

/// An exchange run on a thread of its own (the client blocks: not on one of Swift's cooperative pool's threads);
/// its outcome appears when it ends.
final class BackgroundExchange: Sendable {
    private let outcome = Mutex<Result<RawResponse, any Error>?>(nil)

    /// Starts `exchange` on a new thread.
    init(_ exchange: @escaping @Sendable () throws -> RawResponse) {
        Thread.detachNewThread { [self] in
            let result = Result { try exchange() }
            outcome.withLock { $0 = result }
        }
    }

    /// Whether the exchange ended.
    var isDone: Bool { outcome.withLock { $0 != nil } }

    /// The response; throws what the exchange threw, or when it has not ended.
    func response() throws -> RawResponse {
        guard let result = outcome.withLock({ $0 }) else { throw TestClientError("the exchange has not ended") }
        return try result.get()
    }
}

/// Sends a GET of `path` (`Connection: close`) from `source` (an address of 127/8) on a thread of its own.
func exchangeInBackground(port: Int, _ path: String, source: String? = nil) -> BackgroundExchange {
    BackgroundExchange { try RawConnection.get(source: source, port: port, path) }
}
