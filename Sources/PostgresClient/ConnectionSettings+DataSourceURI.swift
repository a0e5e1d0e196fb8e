
extension ConnectionSettings {
    /// postgres_exporter's split form of its data source: `DATA_SOURCE_URI` (`host:port/db?sslmode=require`, no
    /// scheme or user) with `DATA_SOURCE_USER` and `DATA_SOURCE_PASS`, each also as a `…_FILE` holding the value, so
    /// that an environment written for postgres_exporter connects here too. The user and password are
    /// percent-encoded into a URI, as postgres_exporter builds it, and a `…_FILE` wins over its variable, as there. Nil
    /// when `DATA_SOURCE_URI` (or its file) is not set. `DATA_SOURCE_PASS_FILE` is read like `--database.password-file`
    /// (again before every connection), unless that flag is given, which wins.
    static func composedDataSourceName(
        _ environment: [String: String], passwordFile: inout String?
    ) throws(PostgresError) -> String? {
        guard var uri = try peerValue("DATA_SOURCE_URI", environment) else { return nil }
        for scheme in ["postgresql://", "postgres://"] where uri.hasPrefix(scheme) {
            uri.removeFirst(scheme.count)
        }
        let user = try peerValue("DATA_SOURCE_USER", environment)
        var password: String?
        if let file = nonEmpty(environment["DATA_SOURCE_PASS_FILE"]) {
            // The file wins over DATA_SOURCE_PASS, as in postgres_exporter; read before every connection, unless
            // --database.password-file (which wins over both) is given.
            if passwordFile == nil {
                passwordFile = file
            }
        } else {
            password = nonEmpty(environment["DATA_SOURCE_PASS"])
        }
        // As postgres_exporter's url.UserPassword: a password without a user is ":password@" (libpq's default user).
        var userInfo = ""
        if user != nil || password != nil {
            userInfo = percentEncoded(user ?? "") + (password.map { ":" + percentEncoded($0) } ?? "") + "@"
        }
        return "postgresql://" + userInfo + uri
    }

    /// The content of the file `NAME_FILE` names (without its trailing newline), else `NAME`, else nil: the file
    /// wins, as in postgres_exporter.
    private static func peerValue(_ name: String, _ environment: [String: String]) throws(PostgresError) -> String? {
        if let file = nonEmpty(environment[name + "_FILE"]) {
            return try readSecretFile(file, what: name + "_FILE")
        }
        return nonEmpty(environment[name])
    }

    /// Everything but RFC 3986's unreserved characters percent-encoded, byte by byte.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
            }
        }
        return result
    }
}
