/// What every session the exporter opens sets up before its first query.
public struct SessionSettings: Sendable, Hashable {
    /// Shown in `pg_stat_activity.application_name`.
    public var applicationName: String = "chat-exporter"
    /// Sessions default to read-only transactions, and every query runs in an explicit `READ ONLY` transaction.
    public var readOnly: Bool = true
    /// The session `TimeZone`, so `timestamp without time zone` columns compare the same way everywhere.
    public var timeZone: String = "UTC"
    /// `lock_timeout`: how long a statement may wait for a lock; zero turns it off.
    public var lockTimeout: Duration = .seconds(5)
    /// `idle_in_transaction_session_timeout`: the server ends a session left idle inside a transaction; zero turns it off.
    public var idleInTransactionSessionTimeout: Duration = .seconds(60)
    /// How long opening a connection may take.
    public var connectTimeout: Duration = .seconds(10)

    public init() {}
}

extension Duration {
    /// The value of a timeout setting in milliseconds: zero (PostgreSQL's "off") stays 0, anything else is
    /// ``wholeMilliseconds``, so that a sub-millisecond timeout never turns into "off".
    var settingMilliseconds: Int64 {
        self <= .zero ? 0 : wholeMilliseconds
    }

    /// Whole milliseconds, rounded up, at least 1.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return max(1, milliseconds)
    }
}
