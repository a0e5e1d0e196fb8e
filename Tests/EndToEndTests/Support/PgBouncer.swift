import Foundation
import Glibc
import TestSupport

/// A pgbouncer in front of a test cluster, in transaction pooling with one server connection per database, so that
/// every client of a database shares the same server session, one transaction at a time. Clients log in as anyone
/// (`auth_type = any`); pgbouncer logs in as the cluster's superuser. As root it runs as `postgres` (pgbouncer
/// refuses root). Stopped when released.
final class PgBouncer: Sendable {
    let port: Int
    private let directory: String
    private let child: ChildProcess

    init(before front: PostgresServer) throws {
        let executable = try ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? { throw TestSupportError("pgbouncer is not installed (apt-get install pgbouncer; scripts/test.sh does)") }()
        port = freeTCPPort()
        directory = try TemporaryDirectory(prefix: "pgbouncer", reachableByOthers: true).path
        let configuration = """
            [databases]
            * = host=\(front.host) port=\(front.port) user=\(front.superuser) password=\(front.password)
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = any
            pool_mode = transaction
            default_pool_size = 1
            max_client_conn = 50
            server_reset_query =
            ignore_startup_parameters = extra_float_digits
            """
        let path = directory + "/pgbouncer.ini"
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        child = try ChildProcess.spawn(
            executable: executable, arguments: getuid() == 0 ? ["--user", "postgres", path] : [path],
            environment: ["PATH": "/usr/sbin:/usr/bin:/bin"], stdinPath: nil,
            stdoutPath: directory + "/stdout", stderrPath: directory + "/stderr", newProcessGroup: false)
        try waitUntil(timeout: .seconds(20), "pgbouncer listens on \(port): \(log)") {
            guard child.poll() == nil else { throw TestSupportError("pgbouncer exited: \(log)") }
            return tcpPortAnswers(host: "127.0.0.1", port: port)
        }
    }

    deinit {
        child.send(SIGTERM)
        if child.wait(until: .now + .seconds(5)) == nil {
            child.send(SIGKILL)
            _ = child.wait(until: .now + .seconds(5))
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    var log: String {
        (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? ""
    }

    /// libpq keywords for `database` through this pgbouncer, as a user of no consequence.
    func dsn(database: String) -> String {
        "host=127.0.0.1 port=\(port) dbname=\(database) user=pooled password=anything sslmode=disable gssencmode=disable"
    }

    /// Runs `sql` with psql through the pooler, one transaction per statement; returns psql's unaligned output.
    func psql(_ sql: String, database: String) throws -> ProcessResult {
        try runProcess("psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn(database: database), "-c", sql],
                       environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], timeout: .seconds(30))
    }
}
