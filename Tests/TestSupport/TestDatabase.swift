import Foundation

/// A database of its own for one test: a copy of `chat_template`, so it holds the platform schema
/// (tables, the chat-creation function and triggers) and no rows.
public struct TestDatabase: Sendable {
    /// The server it lives on.
    public let server: PostgresServer
    /// Its name (`t_` and 32 hexadecimal digits).
    public let name: String

    /// libpq key/value connection settings as the superuser:
    /// `host=127.0.0.1 port=... dbname=... user=postgres password=...`.
    public var keyValueDSN: String {
        [
            ("host", server.host), ("port", String(server.port)), ("dbname", name),
            ("user", server.superuser), ("password", server.password),
        ]
        .map { "\($0.0)=\(Self.quotedKeyValue($0.1))" }
        .joined(separator: " ")
    }

    /// The same settings as a URI: `postgresql://postgres:PASSWORD@127.0.0.1:PORT/NAME`, user and
    /// password percent-encoded.
    public var uriDSN: String {
        let hostPart = server.host.contains(":") ? "[\(server.host)]" : server.host
        return "postgresql://\(Self.percentEncoded(server.superuser)):\(Self.percentEncoded(server.password))"
            + "@\(hostPart):\(server.port)/\(Self.percentEncoded(name))"
    }

    /// Runs `sql` (one or more statements), stopping at the first error, which it throws.
    public func execute(_ sql: String) throws {
        _ = try server.runPSQL(sql, database: name, extraArguments: [])
    }

    /// The first column of the first row `sql` returns, as psql prints it ("" for NULL, `t`/`f` for
    /// booleans). Throws when the query fails or returns no row.
    public func scalar(_ sql: String) throws -> String {
        guard let first = try rows(sql).first?.first else {
            throw TestSupportError("query returned no rows: \(sql)")
        }
        return first
    }

    /// Every row `sql` returns, each as its columns' text as psql prints it ("" for NULL).
    public func rows(_ sql: String) throws -> [[String]] {
        let output = try server.runPSQL(sql, database: name, extraArguments: ["-F", "\u{1F}", "-R", "\u{1E}"])
        var text = Substring(output)
        if text.hasSuffix("\n") {
            text = text.dropLast()
        }
        if text.isEmpty {
            return []
        }
        return text.split(separator: "\u{1E}", omittingEmptySubsequences: false).map { row in
            row.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Drops the database, closing any connection still open to it; errors are ignored.
    public func drop() {
        _ = try? server.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// A libpq key/value value, single-quoted when it is empty or holds spaces, quotes or backslashes.
    private static func quotedKeyValue(_ value: String) -> String {
        if !value.isEmpty && !value.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" || $0 == "\t" || $0 == "\n" }) {
            return value
        }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return "'\(escaped)'"
    }

    /// Percent-encodes everything but the unreserved characters of RFC 3986.
    private static func percentEncoded(_ value: String) -> String {
        var unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        unreserved.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
