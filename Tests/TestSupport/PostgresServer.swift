import Foundation

/// A PostgreSQL server the tests use: the shared cluster of the test run, or a private one.
/// Get one from ``TestPostgres``.
public final class PostgresServer: Sendable {
    /// The host to connect to (127.0.0.1).
    public let host: String
    /// The TCP port.
    public let port: Int
    /// The superuser's name (postgres).
    public let superuser: String
    /// The superuser's password.
    public let password: String
    /// The cluster's directory (data, socket, log); empty for a server this process knows only by address.
    public let directory: String

    /// Who owns the server, hence who may stop or remove it.
    enum Ownership: Sendable {
        /// Started outside this process (scripts/test.sh): only used.
        case external
        /// The shared cluster this process started: removed when the process exits, never stopped before.
        case sharedByThisProcess
        /// A private cluster: its test may stop, start and destroy it.
        case `private`
    }

    let ownership: Ownership

    init(host: String, port: Int, superuser: String, password: String, directory: String, ownership: Ownership) {
        self.host = host
        self.port = port
        self.superuser = superuser
        self.password = password
        self.directory = directory
        self.ownership = ownership
    }

    /// Creates a database with a unique name as a copy of `chat_template` (the platform schema, no rows).
    /// The caller drops it when done (``TestDatabase/drop()``), though leaving it is harmless.
    public func createDatabase() throws -> TestDatabase {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try psql("CREATE DATABASE \(name) TEMPLATE chat_template")
        return TestDatabase(server: self, name: name)
    }

    /// Stops the server (fast shutdown). Only for private clusters: the shared one is never stopped.
    public func stop() throws {
        try requirePrivate("stop")
        try runClusterScript(["stop", directory])
    }

    /// Starts the stopped server again, on the same port and data. Only for private clusters.
    public func start() throws {
        try requirePrivate("start")
        try runClusterScript(["start", directory, String(port)])
    }

    /// Restarts the server (fast shutdown, then start). Only for private clusters.
    public func restart() throws {
        try requirePrivate("restart")
        try runClusterScript(["restart", directory])
    }

    /// Freezes every process of the server (SIGSTOP to the postmaster and its children): connections stay open and
    /// new ones are accepted by the kernel, but nothing answers, as behind a dropped network link or on a hung host.
    /// Only for private clusters; ``thaw()`` undoes it (do so before ``destroy()``, which needs the server to answer).
    public func freeze() throws {
        try signalEveryProcess(SIGSTOP, "freeze")
    }

    /// Lets a frozen server run again (SIGCONT).
    public func thaw() throws {
        try signalEveryProcess(SIGCONT, "thaw")
    }

    private func signalEveryProcess(_ signal: Int32, _ action: String) throws {
        try requirePrivate(action)
        let pidFile = try String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8)
        guard let postmaster = pidFile.split(separator: "\n").first.flatMap({ pid_t($0) }) else {
            throw TestSupportError("no postmaster pid in \(directory)/data/postmaster.pid")
        }
        // The postmaster first, so that it starts no child after the children are listed.
        var processes = [postmaster]
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let end = stat.lastIndex(of: ")") else { continue }
            // The field after the state is the parent's pid; the command name before it may hold spaces.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            if fields.count > 1, pid_t(fields[1]) == postmaster { processes.append(pid) }
        }
        for pid in processes where kill(pid, signal) != 0 && errno != ESRCH {
            throw TestSupportError("cannot \(action) PostgreSQL process \(pid): \(String(cString: strerror(errno)))")
        }
    }

    /// Stops a private cluster and removes its directory. Does nothing to the shared cluster, which is
    /// removed when the test process exits.
    public func destroy() {
        guard ownership == .private else {
            return
        }
        destroyCluster()
    }

    /// Whether the server accepts connections and answers a query right now.
    public var isAnswering: Bool {
        (try? psql("SELECT 1")) == "1"
    }

    /// Runs `sql` (one or more statements) with psql as the superuser in `database`, stopping at the
    /// first error, and returns what it printed: unaligned, tuples only (columns separated by `|`,
    /// rows by newlines), without command tags, trimmed. Throws with psql's stderr when anything fails.
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try runPSQL(sql, database: database, extraArguments: [])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs psql with `sql` on its standard input and returns its untrimmed standard output.
    func runPSQL(_ sql: String, database: String, extraArguments: [String]) throws -> String {
        let arguments =
            ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", String(port), "-U", superuser, "-d", database]
            + extraArguments + ["-f", "-"]
        let environment = PostgresTools.cleanEnvironment([
            "PGPASSWORD": password,
            "PGCONNECT_TIMEOUT": "10",
            "PGCLIENTENCODING": "UTF8",
            "PGAPPNAME": "chat-exporter-tests",
            "LC_MESSAGES": "C",
        ])
        let result = try runProcess(try PostgresTools.psql(), arguments, environment: environment, stdin: sql, timeout: .seconds(120))
        guard result.succeeded else {
            throw TestSupportError(
                "psql on \(host):\(port)/\(database) failed (status \(result.status)): "
                    + result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                    + "\nSQL: \(sql.count > 500 ? String(sql.prefix(500)) + "..." : sql)"
            )
        }
        return result.stdout
    }

    /// Stops the cluster and removes its directory, whoever owns it (errors are ignored).
    func destroyCluster() {
        guard !directory.isEmpty else {
            return
        }
        _ = try? runClusterScript(["destroy", directory])
        TestPostgres.forget(directory: directory)
    }

    /// Runs scripts/pg-cluster.sh; throws with its stderr (which ends with the server log) on failure.
    @discardableResult
    func runClusterScript(_ arguments: [String]) throws -> ProcessResult {
        try Self.runClusterScript(arguments, password: password)
    }

    @discardableResult
    static func runClusterScript(_ arguments: [String], password: String) throws -> ProcessResult {
        let environment = PostgresTools.cleanEnvironment(["PGCLUSTER_PASSWORD": password])
        let result = try runProcess("/bin/bash", [PackageLayout.clusterScript] + arguments, environment: environment, timeout: .seconds(180))
        guard result.succeeded else {
            throw TestSupportError(
                "scripts/pg-cluster.sh \(arguments.joined(separator: " ")) failed (status \(result.status)):\n\(result.stderr)"
            )
        }
        return result
    }

    private func requirePrivate(_ action: String) throws {
        guard ownership == .private else {
            throw TestSupportError(
                "refusing to \(action) the shared PostgreSQL cluster: use TestPostgres.makePrivateCluster() for fault tests"
            )
        }
    }
}
