import Foundation
import Glibc
import Testing
import TestSupport

/// Faults and hostile input: locked tables, refused connections, malformed HTTP, idle connection floods.
struct HardeningTests {
    static let collectors = """
        collectors:
          - name: users
            interval: 1s
            timeout: 1s
            sql: SELECT count(*) AS n FROM users -- locked_table_marker
            metrics:
              - {name: test_users, type: gauge, help: Users., value: n}
          - name: constant
            interval: 1s
            timeout: 1s
            sql: SELECT 1 AS v
            metrics:
              - {name: test_constant, type: gauge, help: Always 1., value: v}
        """

    /// A psql session kept open in the background (holding a lock, or a connection slot).
    private final class BackgroundSession: @unchecked Sendable {
        let process = Process()
        init(_ database: TestDatabase, _ sql: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
            process.arguments = ["-X", "-q", "-h", database.server.host, "-p", "\(database.server.port)", "-U", database.server.superuser, "-d", database.name, "-c", sql]
            process.environment = ["PGPASSWORD": database.server.password]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }
        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    /// Whether the collector's statement timeout (1 s) or a shorter `--database.lock-timeout` (SQLSTATE 55P03) ends the
    /// wait, it is a timeout.
    @Test(arguments: [[], ["--database.lock-timeout=200ms"]])
    func aLockedTableTimesOutOnTheServerWhileTheOtherCollectorKeepsItsSchedule(lockTimeout: [String]) throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: Self.collectors, database: database, arguments: ["--database.max-connections=2"] + lockTimeout)
        try exporter.waitUntilReady()
        let locker = try BackgroundSession(database, "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);")
        defer { locker.stop() }
        let before = try exporter.metrics().value("chat_exporter_collector_runs_total", ["collector": "constant"]) ?? 0
        try exporter.waitForMetrics("two timeouts on the locked table") {
            ($0.value("chat_exporter_collector_errors_total", ["collector": "users", "reason": "timeout"]) ?? 0) >= 2
        }
        let metrics = try exporter.metrics()
        #expect(metrics.value("test_users") == nil, "no stale value while the table is locked")
        #expect(metrics.value("test_constant") == 1)
        #expect((metrics.value("chat_exporter_collector_runs_total", ["collector": "constant"]) ?? 0) >= before + 2)
        let waiting = try database.scalar("""
            SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'chat-exporter'
               AND query LIKE '%locked_table_marker%' AND state = 'active' AND now() - query_start > interval '1.8 seconds'
            """)
        #expect(waiting == "0", "every blocked query was cancelled on the server at its timeout")
        let sessions = try Int(database.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'chat-exporter'"))!
        #expect(sessions <= 2)
        locker.stop()
        try exporter.waitForMetrics("the value is back once the lock is gone") { $0.value("test_users") == 0 }
    }

    @Test func aServerRefusingConnectionsIsReportedAndRecoveredFrom() throws {
        let server = try TestPostgres.makePrivateCluster()
        defer { server.destroy() }
        _ = try server.psql("ALTER SYSTEM SET max_connections = 4; ALTER SYSTEM SET superuser_reserved_connections = 0;")
        try server.restart()
        let database = try server.createDatabase()
        let exporter = try RunningExporter(collectors: Self.collectors, database: database)
        try exporter.waitUntilReady()
        try exporter.process.terminate()
        // Its sessions end on the server a moment after the process: until then they hold slots.
        try waitUntil(timeout: .seconds(20), "the first exporter's sessions are gone") {
            (try? server.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chat-exporter'")) == "0"
        }

        // Every slot taken: the exporter starts, serves, says the database is down and opens nothing.
        var holders = try (0..<4).map { _ in try BackgroundSession(database, "SELECT pg_sleep(120)") }
        defer { holders.forEach { $0.stop() } }
        try waitUntil(timeout: .seconds(60), "all four slots are taken") {
            // A holder refused while another session was still closing tries again.
            for index in holders.indices where !holders[index].process.isRunning {
                holders[index] = try BackgroundSession(database, "SELECT pg_sleep(120)")
            }
            return (try? server.psql("SELECT 1")) == nil
        }
        let starved = try RunningExporter(collectors: Self.collectors, database: database)
        try starved.waitForMetrics("the refusal is reported") {
            $0.value("chat_exporter_database_up") == 0
                && ($0.value("chat_exporter_collector_errors_total", ["collector": "users", "reason": "connection"]) ?? 0) >= 1
        }
        #expect(try starved.get("/-/ready").status == 503)
        #expect(starved.process.stderr().contains("too many clients") || starved.process.stderr().contains("53300"))
        holders.forEach { $0.stop() }
        try starved.waitForMetrics(timeout: .seconds(20), "recovered without a restart") {
            $0.value("chat_exporter_database_up") == 1 && $0.value("test_users") == 0
        }
    }

    @Test func malformedAndRandomHTTPNeverBreaksTheServer() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: Self.collectors, database: database)
        try exporter.waitUntilReady()
        let rssBefore = try exporter.metrics().value("process_resident_memory_bytes") ?? 0

        var generator = SplitMix64(seed: 0x5EED)
        let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH", "BREW", "get", "", "G\u{0}T"]
        let paths = ["/", "/metrics", "/-/ready", "/-/healthy", "/metrics?x=1", "//metrics", "/../etc/passwd", "/%00", "/metrics%20", "*", "", "/" + String(repeating: "a", count: 20_000)]
        for round in 0..<480 {
            var request: [UInt8]
            switch round % 6 {
            case 0:  // random method, path and query
                let query = (0..<Int.random(in: 0...40, using: &generator)).map { _ in Character(UnicodeScalar(UInt8.random(in: 33...126, using: &generator))) }
                request = Array("\(methods.randomElement(using: &generator)!) \(paths.randomElement(using: &generator)!)?\(String(query)) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
            case 1:  // random header names and sizes
                let name = String(repeating: "X", count: Int.random(in: 0...200, using: &generator)) + ":"
                let value = String(repeating: "v", count: Int.random(in: 0...70_000, using: &generator))
                request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\(name) \(value)\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n".utf8)
            case 2:  // random bytes
                request = (0..<Int.random(in: 1...4096, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            case 3:  // a truncated request
                let full = Array("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n".utf8)
                request = Array(full.prefix(Int.random(in: 1..<full.count, using: &generator)))
            case 4:  // HTTP/1.0, absolute URIs, odd versions
                request = Array(["GET /metrics HTTP/1.0\r\n\r\n", "GET http://x/metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET /metrics HTTP/9.9\r\n\r\n", "GET /metrics\r\n\r\n"].randomElement(using: &generator)!.utf8)
            default:  // a body that lies about its length
                request = Array("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: \(Int.random(in: 0...1_000_000, using: &generator))\r\n\r\nabc".utf8)
            }
            _ = try? HTTPTestClient.sendRaw(port: exporter.port, bytes: request, timeout: .milliseconds(150))
            if round % 100 == 99 {
                #expect(try exporter.get("/metrics").status == 200, "still answering after \(round + 1) hostile requests")
            }
        }
        #expect(exporter.process.isRunning)
        let after = try exporter.metrics()
        #expect(after.value("test_constant") == 1)
        let rssAfter = after.value("process_resident_memory_bytes") ?? 0
        #expect(rssAfter - rssBefore < 32 * 1024 * 1024, "memory stays bounded: \(rssBefore) → \(rssAfter)")
    }

    /// A client that opens more connections than --web.max-connections allows and trickles half a request into each
    /// (a slowloris) holds only --web.max-connections-per-ip of them (64 by default): the rest are closed at once, and
    /// Prometheus, from another address, is still answered.
    @Test func aClientHoldingConnectionsOpenDoesNotStopMetrics() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 4096 {
            limit.rlim_cur = min(4096, limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let exporter = try RunningExporter(collectors: Self.collectors, database: database, arguments: ["--web.connection-timeout=30s"])
        try exporter.waitUntilReady()
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        let partial = Array("GET /metrics HTTP/1.1\r\nHost: x\r\n".utf8)
        for _ in 0..<1100 {  // more than the default --web.max-connections, 1024
            let descriptor = try #require(boundTCPSocket(host: "127.0.0.2"), "a socket from 127.0.0.2")
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(exporter.port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            #expect(connected == 0)
            _ = partial.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            idle.append(descriptor)
        }
        let response = try exporter.get("/metrics")
        #expect(response.status == 200)
        #expect(Exposition(text: response.text).value("test_constant") == 1)
        // Every connection past the address's 64 was closed at once, and counted (read every two seconds).
        try exporter.waitForMetrics("the refused connections counted") {
            $0.value("chat_exporter_http_connections_refused_total") == Double(idle.count - 64)
        }
        let rss = Exposition(text: response.text).value("process_resident_memory_bytes") ?? 0
        #expect(rss < 200 * 1024 * 1024, "RSS with 1,000 idle connections: \(rss)")
        #expect(exporter.process.isRunning)
    }
}
