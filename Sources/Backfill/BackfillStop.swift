import Synchronization

/// Asks a running backfill to stop after the batch in flight (SIGTERM, SIGINT, SIGHUP): the batch commits, no other starts,
/// and the run still counts what is left and returns its summary. Safe to use from any thread.
public final class BackfillStop: Sendable {
    /// Why the run was asked to stop, and the exit status it then ends with.
    public struct Request: Sendable, Hashable {
        /// What asked, for the summary and the log: "SIGTERM".
        public let reason: String
        /// The exit status of an interrupted run: 128 + the signal's number, as a shell reports a process the
        /// signal ended.
        public let exitCode: Int32

        public init(reason: String, exitCode: Int32) {
            self.reason = reason
            self.exitCode = exitCode
        }
    }

    private let state = Mutex<Request?>(nil)

    public init() {}

    /// Records the first request; later ones change nothing. Returns whether this was the first.
    @discardableResult
    public func request(_ request: Request) -> Bool {
        state.withLock { current in
            guard current == nil else { return false }
            current = request
            return true
        }
    }

    /// The first request, if any.
    public var requested: Request? {
        state.withLock { $0 }
    }
}
