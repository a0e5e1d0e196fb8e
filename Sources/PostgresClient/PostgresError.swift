/// An error from the database layer.
///
/// Its text never carries connection data: the password is scrubbed from every message libpq returns,
/// and the connection string itself is never part of a message.
public struct PostgresError: Error, Sendable, CustomStringConvertible, Hashable {
    /// What went wrong, at the level a caller acts on. The set can grow.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// The database could not be reached, or the connection broke.
        public static let connection = Kind(name: "connection")
        /// The server answered with an error.
        public static let query = Kind(name: "query")
        /// The statement ran past its timeout and was cancelled (on the server).
        public static let timeout = Kind(name: "timeout")
        /// The statement was cancelled because the caller gave up (shutdown, task cancellation).
        public static let cancelled = Kind(name: "cancelled")
        /// The connection settings themselves are invalid (bad DSN, unreadable password file).
        public static let configuration = Kind(name: "configuration")
        public var description: String { name }
    }

    public let kind: Kind
    /// The SQLSTATE the server reported, when it reported one (for example `25006` for a write in a read-only transaction).
    public let sqlState: String?
    /// A one-line message, safe to log.
    public let message: String
    /// Whether the connection failed after the transaction had begun, so the statement may have run (a backend
    /// terminated mid-query, a server that went down): trying again would run it twice. False when the connection
    /// was found dead before (an idle connection that went stale).
    public var statementStarted = false

    public init(kind: Kind, sqlState: String? = nil, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        if let sqlState { return "\(kind): \(message) (SQLSTATE \(sqlState))" }
        return "\(kind): \(message)"
    }
}

extension PostgresError {
    /// How the message of a connection whose session settings the server refused begins.
    public static let sessionSettingsRejected = "session settings rejected by the server (--database.timezone?)"

    /// Whether the server answered and refused one of the exporter's settings (a configuration error with the
    /// server's SQLSTATE): the database is up, the exporter's configuration is wrong.
    public var isSettingRefusedByServer: Bool {
        kind == .configuration && sqlState != nil
    }
}

extension PostgresError.Kind {
    /// SQLSTATE classes that mean the connection, not the statement, failed.
    static func forSQLState(_ state: String?) -> PostgresError.Kind {
        guard let state else { return .query }
        switch state {
        case "57014", "55P03": return .timeout  // query_canceled (statement_timeout), lock_not_available (lock_timeout)
        case "57P01", "57P02", "57P03": return .connection  // admin/crash shutdown, cannot connect now
        default:
            if state.hasPrefix("08") || state.hasPrefix("53") { return .connection }  // connection exception, insufficient resources (too many connections)
            if state.hasPrefix("28") { return .connection }  // invalid authorization
            return .query
        }
    }
}
