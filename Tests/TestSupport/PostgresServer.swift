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

    /// Freezes every process of the server (SIGSTOP to the postmaster, then to its children): connections stay open
    /// and new ones are accepted by the kernel, but nothing answers, as behind a dropped network link or on a hung
    /// host. Only for private clusters; ``thaw()`` undoes it (``destroy()`` thaws first, best-effort).
    public func freeze() throws {
        try requirePrivate("freeze")
        let postmaster = try postmasterPID()
        guard kill(postmaster, SIGSTOP) == 0 else { throw TestSupportError("cannot stop the postmaster \(postmaster): \(String(cString: strerror(errno)))") }
        // Stopped, it forks no more backends: once its state is T, the children listed are all there will be. A
        // child forked just before is caught by the next scan.
        try waitUntil(timeout: .seconds(10), "the postmaster \(postmaster) is stopped") { Self.state(of: postmaster) == "T" }
        try waitUntil(timeout: .seconds(10), "every child of the postmaster \(postmaster) is stopped") {
            let running = Self.children(of: postmaster).filter { Self.state(of: $0) != "T" }
            running.forEach { kill($0, SIGSTOP) }
            return running.isEmpty
        }
    }

    /// Lets a frozen server run again (SIGCONT to the postmaster and its children); throws when one could not be
    /// signalled, after signalling the others.
    public func thaw() throws {
        try requirePrivate("thaw")
        let postmaster = try postmasterPID()
        let failed = ([postmaster] + Self.children(of: postmaster)).filter { kill($0, SIGCONT) != 0 && errno != ESRCH }
        guard failed.isEmpty else { throw TestSupportError("cannot thaw PostgreSQL processes \(failed)") }
    }

    /// The postmaster's pid, from its pid file, checked against its command line: a stale file's pid may be another
    /// process's by now.
    private func postmasterPID() throws -> pid_t {
        let pidFile = try String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8)
        guard let pid = pidFile.split(separator: "\n").first.flatMap({ pid_t($0) }),
              let commandLine = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
              commandLine.contains(directory) else {
            throw TestSupportError("no running postmaster for \(directory)/data (postmaster.pid: \(pidFile.prefix(40)))")
        }
        return pid
    }

    /// A process's state letter (R, S, T, …) from /proc/PID/stat; nil once it is gone.
    private static func state(of pid: pid_t) -> String? {
        processStatFields(of: pid)?.first.map(String.init)
    }

    /// The processes whose parent is `parent`.
    private static func children(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in processStatFields(of: pid).map { $0.count > 1 && pid_t($0[1]) == parent } ?? false }
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
        // A frozen server (``freeze()``) would ignore pg_ctl's stop until its timeout and keep its port.
        if ownership == .private { try? thaw() }
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
