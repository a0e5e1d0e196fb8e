/// Why a collector run failed: the `reason` label of `chat_exporter_collector_errors_total`.
public enum CollectorErrorReason: String, Sendable, CaseIterable, Hashable {
    /// The statement passed its timeout and was cancelled on the server.
    case timeout
    /// The server rejected the statement (syntax, permissions, a write in a read-only transaction, …).
    case query
    /// The database could not be reached, or the connection broke.
    case connection
    /// The result did not fit the metric definitions: a missing column, a non-numeric value, duplicate series.
    case invalidValue = "invalid_value"
    /// A metric produced more series than its cap.
    case cardinality
}

/// A failed collector run: its reason and a one-line message, safe to log and to show (it never holds a secret).
public struct CollectorFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: CollectorErrorReason
    public let message: String
    /// The SQLSTATE, when the server reported one.
    public let sqlState: String?
    /// Whether the run found no connection to run its statement on (the database unreachable, or refusing the
    /// connection), as opposed to one that broke while the statement ran (a terminated backend): only the first
    /// is tried again as soon as the database answers (``CollectorLoop``), since trying the second again would run
    /// a statement someone may have stopped on purpose.
    public let connectionNeverMade: Bool

    public init(reason: CollectorErrorReason, message: String, sqlState: String? = nil, connectionNeverMade: Bool = false) {
        self.reason = reason
        self.message = message
        self.sqlState = sqlState
        self.connectionNeverMade = connectionNeverMade
    }

    public var description: String {
        sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message
    }
}
