import CLibPQ
import FoundationEssentials
import TextFile
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the exporter connects, resolved once from the environment and flags.
///
/// The order is the one operators know from the peers and the old scripts: `DATA_SOURCE_NAME`, then
/// postgres_exporter's `DATA_SOURCE_URI` with `DATA_SOURCE_USER`/`DATA_SOURCE_PASS`, then `DATABASE_URL`, then `DB_HOST`/`DB_PORT`/`DB_NAME`/`DB_USER`/`DB_PASSWORD` with the old scripts' defaults
/// (localhost, 5432, tutoring_platform, postgres, no password). A field that has no `DB_*` variable but a
/// libpq `PG*` variable (or a `PGSERVICE`) is left to libpq, so libpq's own variables and service files keep
/// working. A password file, when given, wins over every other password.
public struct ConnectionSettings: Sendable {
    /// Where the settings came from, for logs and `check`.
    public enum Source: String, Sendable {
        case dataSourceName = "DATA_SOURCE_NAME"
        case databaseURL = "DATABASE_URL"
        /// postgres_exporter's `DATA_SOURCE_URI` with `DATA_SOURCE_USER` and `DATA_SOURCE_PASS` (or their files).
        case dataSourceURI = "DATA_SOURCE_URI"
        case dbVariables = "DB_* variables"
        /// No `DB_*` variable is set, and libpq's own variables (or a service) name the connection.
        case libpqVariables = "libpq variables"
    }

    /// libpq keyword/value pairs, in order. A `dbname` that holds a URI or a key=value string is expanded by libpq.
    let parameters: [(keyword: String, value: String)]
    /// Every secret the settings carry, scrubbed from any message that could reach a log.
    let secrets: [String]
    public let source: Source
    /// The password file, read again before every connection attempt (``refreshed()``), as libpq reads its own
    /// password file: a rotated password (a Kubernetes secret updated in place) is used from the next connection on.
    let passwordFile: String?

    /// Resolves the settings from environment variables, the way the README documents.
    /// - Parameter passwordFile: a file whose content (without a trailing newline) is the password.
    public static func fromEnvironment(
        _ environment: [String: String],
        passwordFile: String? = nil
    ) throws(PostgresError) -> ConnectionSettings {
        var parameters: [(keyword: String, value: String)] = []
        var secrets: [String] = []
        let source: Source
        var passwordFile = passwordFile
        let named = nonEmpty(environment["DATA_SOURCE_NAME"])
        let composed = named == nil ? try composedDataSourceName(environment, passwordFile: &passwordFile) : nil

        if let dsn = named ?? composed ?? nonEmpty(environment["DATABASE_URL"]) {
            source = named != nil ? .dataSourceName : composed != nil ? .dataSourceURI : .databaseURL
            let parsed = try parse(dsn: dsn, source: source)
            // libpq ends a URI's user information at its first '@': the rest of a password holding an unencoded '@'
            // becomes part of the host, and would be shown wherever the host is (logs, check, the landing page).
            // A password holding an unencoded '/' ends the authority there: the rest, password included, becomes
            // the database name ("postgresql://user:/Secret@host/db").
            if dsn.contains("://"), parsed["host"]?.contains("@") == true || Self.pathHoldsAnAt(dsn) {
                throw PostgresError(
                    kind: .configuration,
                    message: "\(source.rawValue): the URI's host or database name holds an '@': percent-encode '@' (%40), ':' (%3A) and '/' (%2F) in the user name and password")
            }
            if let password = parsed["password"], !password.isEmpty { secrets.append(password) }
            try checkValues(parsed, source: source)
            parameters.append(("dbname", dsn))
        } else {
            let dbVariables = ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"]
            let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"]
            let usesLibpq = !dbVariables.contains { nonEmpty(environment[$0]) != nil }
                && libpqVariables.contains { nonEmpty(environment[$0]) != nil }
            source = usesLibpq ? .libpqVariables : .dbVariables
            func field(_ dbVariable: String, _ pgVariables: [String], keyword: String, default value: String) {
                if let given = nonEmpty(environment[dbVariable]) {
                    parameters.append((keyword, given))
                } else if !pgVariables.contains(where: { nonEmpty(environment[$0]) != nil }) {
                    parameters.append((keyword, value))
                }
            }
            field("DB_HOST", ["PGHOST", "PGHOSTADDR", "PGSERVICE"], keyword: "host", default: "localhost")
            field("DB_PORT", ["PGPORT", "PGSERVICE"], keyword: "port", default: "5432")
            field("DB_NAME", ["PGDATABASE", "PGSERVICE"], keyword: "dbname", default: "tutoring_platform")
            field("DB_USER", ["PGUSER", "PGSERVICE"], keyword: "user", default: "postgres")
            if let password = nonEmpty(environment["DB_PASSWORD"]) {
                parameters.append(("password", password))
                secrets.append(password)
            }
            if let port = nonEmpty(environment["DB_PORT"]) { try checkValues(["port": port], source: source) }
        }
        if let password = nonEmpty(environment["PGPASSWORD"]) { secrets.append(password) }
        // A password that a slip put in another field (a nested connection string as the dbname, `user=a,password=b`)
        // is shown nowhere (``ConnectionTarget/shown(_:)``), nor in a message that quotes that field.
        // A connection string in a dbname (DB_NAME may hold one; libpq expands it) carries its own password.
        for (keyword, value) in expanded(parameters, source: source) where !value.isEmpty && !secrets.contains(value)
            && (keyword == "password" || ConnectionTarget.holdsPassword(value)) {
            secrets.append(value)
        }

        if let passwordFile {
            let password = try readSecretFile(passwordFile, what: "password file")
            parameters.append(("password", password))
            secrets.append(password)
        }
        return ConnectionSettings(parameters: parameters, secrets: secrets, source: source, passwordFile: passwordFile)
    }

    /// The settings for a new connection: with a password file, its content now (the last `password` parameter wins
    /// in libpq), the earlier passwords still scrubbed. Throws a configuration error when the file cannot be read.
    func refreshed() throws(PostgresError) -> ConnectionSettings {
        guard let passwordFile else { return self }
        let password = try Self.readSecretFile(passwordFile, what: "password file")
        if parameters.last?.keyword == "password", parameters.last?.value == password { return self }
        var secrets = secrets
        if !secrets.contains(password) { secrets.append(password) }
        // fromEnvironment appends the file's password last.
        return ConnectionSettings(
            parameters: Array(parameters.dropLast()) + [("password", password)], secrets: secrets, source: source,
            passwordFile: passwordFile)
    }

    /// Settings from explicit libpq keywords (tests, tools).
    public init(keywords: [(String, String)]) {
        parameters = keywords.map { (keyword: $0.0, value: $0.1) }
        secrets = keywords.filter { $0.0 == "password" && !$0.1.isEmpty }.map(\.1)
        source = .dbVariables
        passwordFile = nil
    }

    init(parameters: [(keyword: String, value: String)], secrets: [String], source: Source, passwordFile: String? = nil) {
        self.parameters = parameters
        self.secrets = secrets
        self.source = source
        self.passwordFile = passwordFile
    }

    /// Host, port, database and user as libpq will resolve them (environment and defaults included). Never the password.
    /// With a service (`service=` in the string, or `PGSERVICE`), libpq fills every field the settings leave open from
    /// its service file first: those are left empty here, and the target names the service instead. A connection
    /// knows the whole answer (``PostgresConnection/target``).
    public var target: ConnectionTarget {
        var values: [String: String] = [:]
        for (keyword, value) in Self.expanded(parameters, source: source) { values[keyword] = value }
        let environment = ProcessInfo.processInfo.environment
        if let service = values["service"] ?? nonEmpty(environment["PGSERVICE"]) {
            return ConnectionTarget(
                host: values["host"] ?? values["hostaddr"] ?? "", port: values["port"] ?? "",
                database: values["dbname"] ?? "", user: values["user"] ?? "", service: service)
        }
        let user = values["user"] ?? nonEmpty(environment["PGUSER"]) ?? Self.operatingSystemUser()
        return ConnectionTarget(
            host: values["host"] ?? values["hostaddr"] ?? nonEmpty(environment["PGHOST"]) ?? "/var/run/postgresql",
            port: values["port"] ?? nonEmpty(environment["PGPORT"]) ?? "5432",
            database: values["dbname"] ?? nonEmpty(environment["PGDATABASE"]) ?? user,
            user: user
        )
    }

    /// A message with no secret in it, or a fixed text instead. libpq's and the server's messages never quote the
    /// password; this is the last guard should one ever do. Replacing the password inside the message would show
    /// where it stood: a password "a" or "chat" turned "password authentication failed for user chat_exporter"
    /// into a riddle whose answer is the password. So a message that holds a secret is withheld whole. Secrets
    /// shorter than 4 bytes are not looked for: they would withhold every message, and are no secret anyway.
    func scrub(_ message: String) -> String {
        let bytes = Array(message.utf8)
        // A password equal to the user, database or host name is in nearly every message, next to that name shown
        // anyway: withholding would hide the cause (a wrong password) and protect nothing.
        let shown = Set(target.shownValues)
        for secret in secrets where secret.utf8.count >= 4 && !shown.contains(secret) {
            if bytes.firstRange(of: Array(secret.utf8)) != nil {
                return "(message withheld: it contains the database password)"
            }
        }
        return message
    }

    /// A libpq or server message on one line, its secrets removed first (a password may hold runs of white space
    /// that the line would no longer match).
    func loggable(_ message: String) -> String {
        LibPQ.oneLine(scrub(message))
    }

    /// The name of the user this process runs as: libpq's default for `user`. Without a passwd entry (a container
    /// started with a bare uid), `USER`, then the uid. Read once, at start-up, so getpwuid's static buffer is safe.
    static func operatingSystemUser() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return nonEmpty(ProcessInfo.processInfo.environment["USER"]) ?? String(geteuid())
    }

    /// `parameters` with a `dbname` that is a connection string (a URI, or key=value pairs) replaced by the pairs it
    /// holds, less the empty ones: libpq expands such a dbname and lets its values win (``fromEnvironment`` puts at
    /// most one dbname, first). A dbname that does not parse stays as it is, so that a password in it is still found.
    private static func expanded(
        _ parameters: [(keyword: String, value: String)], source: Source
    ) -> [(keyword: String, value: String)] {
        parameters.flatMap { keyword, value in
            guard keyword == "dbname", value.contains("=") || value.contains("://"),
                  let pairs = try? parse(dsn: value, source: source) else { return [(keyword: keyword, value: value)] }
            return pairs.filter { !$0.value.isEmpty }.map { (keyword: $0.key, value: $0.value) }
        }
    }

    private static func parse(dsn: String, source: Source) throws(PostgresError) -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(dsn, &errorMessage) else {
            var reason = "not a valid connection string"
            if let errorMessage {
                reason = LibPQ.oneLine(String(cString: errorMessage))
                PQfreemem(errorMessage)
            }
            // libpq quotes pieces of the string in its message; never echo them, they may hold the password. The rest
            // says what is wrong ('invalid connection option "…"', 'missing "=" after "…"').
            throw PostgresError(kind: .configuration, message: "\(source.rawValue): \(elidingQuotedText(reason))")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option = option.advanced(by: 1)
        }
        return values
    }

    /// Whether the raw URI's path (after the authority, before the query) holds an unencoded '@': what a password
    /// with an unencoded '/' leaves there. Checked on the raw text, so that a database name written `%40` (an '@'
    /// in the name, decoded by libpq) or an '@' in a query parameter stays allowed.
    static func pathHoldsAnAt(_ uri: String) -> Bool {
        guard let scheme = uri.firstRange(of: "://") else { return false }
        let rest = uri[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return false }
        let path = rest[slash...].prefix { $0 != "?" }
        return path.contains("@")
    }

    /// Values libpq would refuse at every connection attempt ("invalid integer value for connection option
    /// port"), which would otherwise be retried forever as a connection failure: refused once, at start-up. The
    /// value is never echoed: a URI whose password holds an unencoded ':' or '/' puts a piece of it there.
    private static func checkValues(_ values: [String: String], source: Source) throws(PostgresError) {
        if let port = values["port"], !port.isEmpty {
            let valid = port.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { piece in
                piece.isEmpty || (piece.allSatisfy(\.isASCII) && piece.allSatisfy(\.isNumber) && (Int(piece).map { 1...65535 ~= $0 } ?? false))
            }
            if !valid {
                // In a URI a password holding ':' or '/' moves the rest of it into the port: say how to write it.
                let uriHint = [.dbVariables, .libpqVariables, .dataSourceURI].contains(source)
                    ? "" : " (in a URI, percent-encode ':' (%3A), '/' (%2F) and '@' (%40) in the user name and password)"
                throw PostgresError(
                    kind: .configuration,
                    message: "\(source == .dbVariables ? "DB_PORT" : source.rawValue): the port is not a number from 1 to 65535\(uriHint)")
            }
        }
        let sslModes: Set<String> = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
        if let mode = values["sslmode"], !mode.isEmpty, !sslModes.contains(mode) {
            throw PostgresError(kind: .configuration, message: "\(source.rawValue): sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full")
        }
    }

    /// `reason` up to the first piece of the connection string libpq quotes, which is replaced by `"…"`: the piece
    /// may hold the password, and so may quotes inside it, so nothing after it is echoed but the fixed end of
    /// libpq's message. libpq's own punctuation (`missing "=" after`, `matching "]"`, `separator "="`) is kept.
    static func elidingQuotedText(_ reason: String) -> String {
        var result = ""
        var rest = Substring(reason)
        while let quote = rest.firstIndex(of: "\"") {
            let before = rest[..<quote]
            result += before
            let after = rest[rest.index(after: quote)...]
            let afterTemplateWord = ["missing ", "matching ", "separator "].contains { before.hasSuffix($0) }
            guard afterTemplateWord, let literal = ["=\"", "]\""].first(where: { after.hasPrefix($0) }) else {
                let fixedEnd = "\" in connection info string"
                return result + "\"…\"" + (reason.hasSuffix(fixedEnd) ? String(fixedEnd.dropFirst()) : "")
            }
            result += "\"" + literal
            rest = after.dropFirst(literal.count)
        }
        return result + rest
    }

    /// The content of a file that holds one value (a password, a user name, a URI), without its trailing newline;
    /// `what` names it in the errors ("password file", "DATA_SOURCE_USER_FILE").
    static func readSecretFile(_ path: String, what: String) throws(PostgresError) -> String {
        var value: String
        do {
            value = try TextFile.text(path: path, limit: 65_536)
        } catch {
            throw PostgresError(kind: .configuration, message: "cannot read \(what) \(path): \(error.reason)")
        }
        // By scalars: "\r\n" is one Character, which neither hasSuffix("\n") nor hasSuffix("\r") matches.
        while let last = value.unicodeScalars.last, last == "\n" || last == "\r" { value.unicodeScalars.removeLast() }
        guard !value.isEmpty else { throw PostgresError(kind: .configuration, message: "\(what) \(path) is empty") }
        return value
    }
}

/// Where a connection goes, for logs and reports. Carries no secret.
public struct ConnectionTarget: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: String
    public let database: String
    public let user: String
    /// The libpq service the settings name, when the fields left empty come from its service file.
    public let service: String?

    /// The values a report shows in the clear.
    var shownValues: [String] { [host, port, database, user].filter { !$0.isEmpty } }

    /// `user@host:port/database`; with a service, `service=NAME` and the fields known without its file.
    public var description: String {
        guard let service else { return "\(user)@\(host):\(port)/\(database)" }
        let known = [("host", host), ("port", port), ("dbname", database), ("user", user)].filter { !$0.1.isEmpty }
        return (["service=\(service)"] + known.map { "\($0.0)=\($0.1)" }).joined(separator: " ")
    }

    public init(host: String, port: String, database: String, user: String, service: String? = nil) {
        self.host = Self.shown(host)
        self.port = Self.shown(port)
        self.database = Self.shown(database)
        self.user = Self.shown(user)
        self.service = service.map(Self.shown)
    }

    /// What stands in for a field that holds a password.
    static let withheld = "(withheld: it holds a password)"

    /// `value`, unless a slip put a password in it: libpq takes `user=me,password=…` as a user name, and a
    /// connection string nested as the dbname of another as a database name.
    static func shown(_ value: String) -> String {
        holdsPassword(value) ? withheld : value
    }

    /// Whether `value` holds `password=` or a URI's `user:password@`.
    static func holdsPassword(_ value: String) -> Bool {
        if value.lowercased().contains("password=") { return true }
        guard let scheme = value.firstRange(of: "://") else { return false }
        let authority = value[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        return authority[..<at].contains(":")
    }
}

/// `value` unless it is nil or empty: an environment variable set to "" counts as unset.
func nonEmpty(_ value: String?) -> String? {
    guard let value, !value.isEmpty else { return nil }
    return value
}
