/// What `chat-exporter check` found: the connection, then one line per check, each ✓, ⚠ or ✗.
public struct CheckReport: Sendable, Encodable {
    /// How a check came out. Only `problem` makes `check` exit 1.
    public enum Status: String, Sendable, Encodable, Comparable {
        case ok, warning, problem

        private var rank: Int {
            switch self {
            case .ok: 0
            case .warning: 1
            case .problem: 2
            }
        }

        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
    }

    public struct Check: Sendable, Encodable, Equatable {
        public let section: String
        public let name: String
        public let status: Status
        public let message: String
    }

    /// Where `check` connected. Never a password.
    public struct Connection: Sendable, Encodable {
        public let host: String
        public let port: String
        public let database: String
        public let user: String
        /// The libpq service that names the connection, when it could not be resolved (no connection was made).
        public let service: String?
        public let connected: Bool
        public let error: String?
    }

    public let connection: Connection
    /// Why the report says nothing trustworthy although the server answered: the role lacks grants, or the database
    /// is not the platform's. `check` then exits 2, as when it cannot connect.
    public let cannotCheck: String?
    public let checks: [Check]
    /// Every sample the collectors produced, as `name{label="value",...}` → value (NaN and ±Inf as strings in JSON).
    public let metrics: [String: MetricValue]

    /// 0 healthy, 1 a problem was found, 2 the database could not be reached or checked.
    public var exitCode: Int32 {
        if !connection.connected || cannotCheck != nil { return 2 }
        return checks.contains { $0.status == .problem } ? 1 : 0
    }

    public var healthy: Bool { exitCode == 0 }

    enum CodingKeys: String, CodingKey {
        case healthy, exitCode = "exit_code", connection, cannotCheck = "cannot_check", checks, metrics
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(healthy, forKey: .healthy)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(connection, forKey: .connection)
        try container.encode(cannotCheck, forKey: .cannotCheck)
        try container.encode(checks, forKey: .checks)
        try container.encode(metrics, forKey: .metrics)
    }
}

/// A sample value that JSON can carry: numbers as numbers, NaN and infinities as strings.
public struct MetricValue: Sendable, Encodable, Equatable {
    public let value: Double

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if value.isNaN {
            try container.encode("NaN")
        } else if value.isInfinite {
            try container.encode(value > 0 ? "+Inf" : "-Inf")
        } else {
            try container.encode(value)
        }
    }
}
