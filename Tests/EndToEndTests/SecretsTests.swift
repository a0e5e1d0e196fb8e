import Foundation
import Testing
import TestSupport

/// The password never reaches a log line, a metric or a page.
struct SecretsTests {
    @Test(arguments: ["DATA_SOURCE_NAME", "DATABASE_URL", "DB_PASSWORD", "password-file"])
    func thePasswordAppearsNowhere(path: String) throws {
        let server = try TestPostgres.shared()
        let database = try server.createDatabase()
        defer { database.drop() }
        // A role whose password is unique to this test, so a leak cannot hide behind a common word.
        let role = "secret_\(UUID().uuidString.prefix(8).lowercased())"
        let password = "Pw-\(UUID().uuidString)"
        try database.execute("CREATE ROLE \(role) LOGIN PASSWORD '\(password)'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role)")
        defer { try? database.execute("DROP OWNED BY \(role); DROP ROLE \(role)") }

        var environment: [String: String] = [:]
        var arguments: [String] = []
        let host = server.host, port = server.port, name = database.name
        switch path {
        case "DATA_SOURCE_NAME": environment["DATA_SOURCE_NAME"] = "host=\(host) port=\(port) dbname=\(name) user=\(role) password=\(password)"
        case "DATABASE_URL": environment["DATABASE_URL"] = "postgresql://\(role):\(password)@\(host):\(port)/\(name)"
        case "DB_PASSWORD": environment = ["DB_HOST": host, "DB_PORT": "\(port)", "DB_NAME": name, "DB_USER": role, "DB_PASSWORD": password]
        default:
            let file = NSTemporaryDirectory() + "pw-\(UUID().uuidString)"
            try "\(password)\n".write(toFile: file, atomically: true, encoding: .utf8)
            environment = ["DB_HOST": host, "DB_PORT": "\(port)", "DB_NAME": name, "DB_USER": role]
            arguments = ["--database.password-file", file]
        }
        let exporter = try RunningExporter(collectors: TestCollectors.countUsers + """

              - name: failing
                interval: 1s
                timeout: 1s
                sql: SELECT * FROM no_such_table
                metrics:
                  - {name: test_failing, type: gauge, help: Fails., value: n}
            """, database: database, arguments: arguments, environment: environment)
        try exporter.waitUntilReady()
        try exporter.waitForMetrics("the failing collector failed") {
            ($0.value("chat_exporter_collector_errors_total", ["collector": "failing", "reason": "query"]) ?? 0) >= 1
        }
        // Make the database refuse the password too: the authentication error must not echo it.
        try database.execute("ALTER ROLE \(role) PASSWORD 'changed-\(UUID().uuidString)'")
        _ = try server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(role)'")
        try exporter.waitForMetrics("the exporter noticed the refused login") { $0.value("chat_exporter_database_up") == 0 }

        let pages = try ["/", "/metrics", "/-/ready", "/-/healthy"].map { try exporter.get($0).text }
        for page in pages { #expect(!page.contains(password)) }
        _ = try exporter.process.terminate()
        let log = exporter.process.stderr() + exporter.process.stdout()
        #expect(log.contains("level=debug"), "the log was taken at debug level")
        #expect(log.contains("collector run failed"))
        #expect(!log.contains(password))
        #expect(!log.contains(password.lowercased()))
    }

    /// A password rotated in its file (a Kubernetes secret the kubelet updates in place) is used from the next
    /// connection on, without a restart or a signal, as libpq reads its own password file; and neither password is
    /// ever shown.
    @Test func aRotatedPasswordFileIsUsedFromTheNextConnectionOn() throws {
        let server = try TestPostgres.shared()
        let database = try server.createDatabase()
        defer { database.drop() }
        let role = "rotated_\(UUID().uuidString.prefix(8).lowercased())"
        let first = "Pw-\(UUID().uuidString)", second = "Pw-\(UUID().uuidString)"
        try database.execute("CREATE ROLE \(role) LOGIN PASSWORD '\(first)'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role)")
        defer { try? database.execute("DROP OWNED BY \(role); DROP ROLE \(role)") }
        let file = NSTemporaryDirectory() + "pw-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "\(first)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let exporter = try RunningExporter(collectors: TestCollectors.countUsers, database: nil, arguments: ["--database.password-file", file],
            environment: ["DB_HOST": server.host, "DB_PORT": "\(server.port)", "DB_NAME": database.name, "DB_USER": role])
        try exporter.waitUntilReady()

        // The password changes on the server, its connections are ended, and only then does the file follow.
        try database.execute("ALTER ROLE \(role) PASSWORD '\(second)'")
        _ = try server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(role)'")
        try exporter.waitForMetrics("the old password is refused") { $0.value("chat_exporter_database_up") == 0 }
        try "\(second)\n".write(toFile: file, atomically: true, encoding: .utf8)
        try exporter.waitForMetrics(timeout: .seconds(30), "the new password is used") {
            $0.value("chat_exporter_database_up") == 1 && $0.value("test_ok") != nil
        }

        // A file that has gone since start-up makes every connection impossible: the database is down for the exporter.
        try FileManager.default.removeItem(atPath: file)
        _ = try server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(role)'")
        try exporter.waitForMetrics("the missing file is a connection failure") {
            $0.value("chat_exporter_database_up") == 0
                && ($0.value("chat_exporter_collector_errors_total", ["collector": "ok", "reason": "connection"]) ?? 0) >= 1
        }
        let log = exporter.process.stderr()
        #expect(log.contains("msg=\"database unreachable\""), "\(log)")
        #expect(!log.contains(first) && !log.contains(second))
        #expect(!(try exporter.get("/").text.contains(second)))
    }
}
