import Dispatch
import Synchronization

/// The deferred-work queue of one server, shared by its daemons (every listener's, and the old and new ones of a
/// reload): one worker thread and one set of places, so that the limits hold for the server as a whole.
final class DeferredWork: Sendable {
    /// Runs deferred responses' work (`HTTPResponse.deferred`), one at a time.
    let worker = DispatchQueue(label: "chat-exporter.http.deferred")
    /// The places of the queue (``ServerContext/deferredLimit``, ``ServerContext/deferredLimitPerClient``).
    let places = Mutex(DeferredPlaces())
}
