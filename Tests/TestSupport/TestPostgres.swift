import Foundation
import Glibc
import Synchronization

/// The PostgreSQL servers of a test run.
public enum TestPostgres {
    /// The default superuser password of clusters this process starts (scripts/pg-cluster.sh's default).
    static let defaultPassword = "postgres-test-password"

    /// The shared cluster, once there is one (or the error that prevented it).
    private static let sharedServer = Mutex<Result<PostgresServer, any Error>?>(nil)
    /// Directories of the clusters this process started and has not destroyed yet.
    private static let ownedClusters = Mutex<Set<String>>([])
    private static let exitHandlerInstalled = Mutex<Bool>(false)

    /// The shared cluster of this test run. From the `CHAT_EXPORTER_TEST_PGHOST`, `..._PGPORT`,
    /// `..._PGPASSWORD` (and `..._PGUSER`, `..._CLUSTER_DIR`) environment variables when scripts/test.sh
    /// set them; otherwise a cluster this process starts once, with scripts/pg-cluster.sh in a temporary
    /// directory, and removes when it exits, so that a plain `swift test` works too. Thread-safe: the
    /// first caller starts it, the others wait for it; a failure is remembered and thrown to every caller.
    ///
    /// Never stop it: give each test its own database (``PostgresServer/createDatabase()``), and use
    /// ``makePrivateCluster()`` for tests that stop or restart PostgreSQL.
    public static func shared() throws -> PostgresServer {
        try sharedServer.withLock { state in
            if let state {
                return try state.get()
            }
            let result = Result { try startSharedServer() }
            state = result
            return try result.get()
        }
    }

    /// A new cluster of its own, for fault tests that stop, restart or break PostgreSQL. The caller
    /// destroys it (``PostgresServer/destroy()``); any left are destroyed when the process exits.
    /// Takes a second or two (initdb and the template).
    public static func makePrivateCluster() throws -> PostgresServer {
        try startCluster(ownership: .private)
    }

    private static func startSharedServer() throws -> PostgresServer {
        let environment = ProcessInfo.processInfo.environment
        guard let host = environment["CHAT_EXPORTER_TEST_PGHOST"], !host.isEmpty else {
            return try startCluster(ownership: .sharedByThisProcess)
        }
        guard let port = environment["CHAT_EXPORTER_TEST_PGPORT"].flatMap({ Int($0) }) else {
            throw TestSupportError("CHAT_EXPORTER_TEST_PGHOST is set but CHAT_EXPORTER_TEST_PGPORT is missing or not a number")
        }
        let server = PostgresServer(
            host: host,
            port: port,
            superuser: environment["CHAT_EXPORTER_TEST_PGUSER"] ?? "postgres",
            password: environment["CHAT_EXPORTER_TEST_PGPASSWORD"] ?? defaultPassword,
            directory: environment["CHAT_EXPORTER_TEST_CLUSTER_DIR"] ?? "",
            ownership: .external
        )
        do {
            _ = try server.psql("SELECT 1")
        } catch {
            throw TestSupportError("the test cluster named by CHAT_EXPORTER_TEST_PG* (\(host):\(port)) does not answer: \(error)")
        }
        return server
    }

    /// Starts a cluster in a new temporary directory on a free port (another port if that one was taken).
    private static func startCluster(ownership: PostgresServer.Ownership) throws -> PostgresServer {
        installExitHandler()
        var lastError: (any Error)?
        for _ in 0..<3 {
            let directory = try TemporaryDirectory(prefix: "pg").path
            let port = freeTCPPort()
            ownedClusters.withLock { _ = $0.insert(directory) }
            do {
                try PostgresServer.runClusterScript(["start", directory, String(port)], password: defaultPassword)
                return PostgresServer(
                    host: "127.0.0.1",
                    port: port,
                    superuser: "postgres",
                    password: defaultPassword,
                    directory: directory,
                    ownership: ownership
                )
            } catch {
                lastError = error
                _ = try? PostgresServer.runClusterScript(["destroy", directory], password: defaultPassword)
                forget(directory: directory)
                guard "\(error)".contains("could not bind") || "\(error)".contains("already in use") else {
                    throw error
                }
            }
        }
        throw lastError ?? TestSupportError("could not start a PostgreSQL cluster")
    }

    /// A hot standby of `primary` (a cluster this process started, ``makePrivateCluster()``), streaming from it, on a
    /// port of its own. The caller destroys it; any left are destroyed when the process exits.
    public static func makeStandby(of primary: PostgresServer) throws -> PostgresServer {
        installExitHandler()
        let directory = try TemporaryDirectory(prefix: "pg-standby").path
        let port = freeTCPPort()
        ownedClusters.withLock { _ = $0.insert(directory) }
        do {
            try PostgresServer.runClusterScript(["standby", directory, String(port), String(primary.port)], password: primary.password)
        } catch {
            _ = try? PostgresServer.runClusterScript(["destroy", directory], password: primary.password)
            forget(directory: directory)
            throw error
        }
        return PostgresServer(
            host: "127.0.0.1", port: port, superuser: primary.superuser, password: primary.password, directory: directory,
            ownership: .private)
    }

    /// Marks a cluster as gone, so that the exit handler leaves it alone.
    static func forget(directory: String) {
        ownedClusters.withLock { _ = $0.remove(directory) }
    }

    private static func installExitHandler() {
        exitHandlerInstalled.withLock { installed in
            guard !installed else {
                return
            }
            installed = true
            atexit {
                TestPostgres.destroyOwnedClusters()
            }
        }
    }

    /// Destroys every cluster this process started and has not destroyed yet.
    private static func destroyOwnedClusters() {
        let directories = ownedClusters.withLock { clusters in
            defer { clusters.removeAll() }
            return clusters
        }
        for directory in directories {
            _ = try? PostgresServer.runClusterScript(["destroy", directory], password: defaultPassword)
        }
    }
}
