/// A notice or warning the server sent outside a result (a `RAISE NOTICE`, "terminating connection due to
/// administrator command"). libpq would print it on stderr as it comes, outside the exporter's log format; the
/// pool hands it to ``ConnectionPool/Configuration/onNotice`` instead, its text scrubbed like any error's.
public struct PostgresNotice: Sendable, Hashable {
    /// `WARNING`, `NOTICE`, `INFO`, `LOG`, `DEBUG` (never localized).
    public let severity: String
    /// The primary message, on one line.
    public let message: String
    public let sqlState: String?

    public init(severity: String, message: String, sqlState: String?) {
        self.severity = severity
        self.message = message
        self.sqlState = sqlState
    }

    /// Whether an operator should hear about it (`WARNING`), rather than only when debugging.
    public var isWarning: Bool { severity == "WARNING" }
}
