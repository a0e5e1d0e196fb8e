import Foundation
import Testing
import TestSupport

/// The collectors file: validation names the line, SIGHUP reloads, a broken reload keeps the old configuration.
struct ConfigurationTests {
    @Test func validateNamesFileLineAndColumnAndExitsOne() throws {
        let temporary = try TemporaryDirectory(prefix: "validate")
        defer { temporary.remove() }
        let directory = temporary.path
        let broken = directory + "/broken.yml"
        try """
            collectors:
              - name: x
                intervall: 1m
                sql: SELECT 1 AS v
                metrics:
                  - {name: test_x, type: gauge, help: X., value: v}
            """.write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try runProcess(Binary.chatExporter, ["validate", "--config.file", broken])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(broken):3:5:"))
        #expect(result.stderr.contains("intervall"))

        let good = directory + "/good.yml"
        try """
            collectors:
              - name: x
                sql: SELECT 1 AS v
                metrics:
                  - {name: test_x, type: gauge, help: X., value: v}
            """.write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try runProcess(Binary.chatExporter, ["validate", "--config.file", good]).status == 0)
        #expect(try runProcess(Binary.chatExporter, ["validate"]).status == 0, "the embedded defaults are valid")
    }

    /// Every broken file of the configuration corpus, through the binary: exit 1 and exactly one line naming it.
    @Test func validateRejectsEveryFileOfTheBrokenCorpusWithOneLine() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CollectorConfigTests/Fixtures/invalid")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".yml") }.sorted()
        #expect(files.count >= 20)
        for file in files {
            let path = corpus.appendingPathComponent(file).path
            let result = try runProcess(Binary.chatExporter, ["validate", "--config.file", path])
            #expect(result.status == 1, "\(file): exit \(result.status)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(file): \(result.stderr)")
            #expect(lines.first?.hasPrefix(path + ":") == true, "\(file): \(result.stderr)")
        }
    }

    @Test func serveRefusesToStartWithABrokenFileOrAWrongFlag() throws {
        let temporary = try TemporaryDirectory(prefix: "serve")
        defer { temporary.remove() }
        let directory = temporary.path
        let broken = directory + "/broken.yml"
        try "collectors: [".write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try runProcess(Binary.chatExporter, ["--config.file", broken, "--web.listen-address=127.0.0.1:\(freeTCPPort())"], timeout: .seconds(20))
        #expect(result.status == 1)
        #expect(result.stderr.contains(broken + ":"))
        #expect(result.stderr.contains("YAML syntax error"))

        let badFlag = try runProcess(Binary.chatExporter, ["--web.listen-adress=:1"], timeout: .seconds(20))
        #expect(badFlag.status != 0)
        #expect(badFlag.stderr.contains("web.listen-adress"))

        for threads in ["0", "65", "many"] {
            let badThreads = try runProcess(Binary.chatExporter, ["--web.threads", threads], timeout: .seconds(20))
            #expect(badThreads.status != 0)
            #expect(badThreads.stderr.contains("--web.threads"), "\(threads): \(badThreads.stderr)")
        }
        // Values that parse but could never work: refused up front (64), not at every connection.
        for (arguments, message) in [
            (["--web.listen-address=127.0.0.1:1", "--web.listen-address=127.0.0.1:1"], "--web.listen-address \"127.0.0.1:1\" is given twice"),
            (["--database.connect-timeout=0s"], "--database.connect-timeout must be more than 0s"),
            (["--database.lock-timeout=1000w"], "--database.lock-timeout must be at most 24d"),
            (["--database.idle-in-transaction-timeout=25d"], "--database.idle-in-transaction-timeout must be at most 24d"),
            // A query string would make every URL answer 404, the landing page's link included.
            (["--web.telemetry-path=/metrics?x=1"], "--web.telemetry-path must be a path such as /metrics"),
            // The landing page's link would point at another host, or at a path that answers 404.
            (["--web.telemetry-path=//elsewhere.example"], "--web.telemetry-path must be a path such as /metrics"),
            (["--web.telemetry-path=/%6detrics"], "--web.telemetry-path must be a path such as /metrics"),
            (["--web.listen-address=[::1"], "an IPv6 address goes in brackets ([::1]:9488)"),
            (["--web.listen-address=::1:9488"], "an IPv6 address goes in brackets ([::1]:9488)"),
            (["--web.listen-address=[::1]"], "missing port"),
        ] {
            let refused = try runProcess(Binary.chatExporter, arguments, timeout: .seconds(20))
            #expect(refused.status == 64, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
        let badPerIP = try runProcess(Binary.chatExporter, ["--web.max-connections-per-ip=-1"], timeout: .seconds(20))
        #expect(badPerIP.status == 64)
        #expect(badPerIP.stderr.contains("--web.max-connections-per-ip must be 0 (no limit) or more"), "\(badPerIP.stderr)")
    }

    @Test func sighupReloadsAndABrokenFileKeepsTheRunningConfiguration() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try exporterServingFirst(database)
        /// A collectors file with one collector, `second`, serving `value` as test_second.
        func second(interval: String, value: Int) -> String {
            """
            collectors:
              - name: second
                interval: \(interval)
                timeout: 1s
                sql: SELECT \(value) AS v
                metrics:
                  - {name: test_second, type: gauge, help: Second., value: v}
            """
        }

        try exporter.rewriteCollectors(second(interval: "1s", value: 2))
        exporter.process.signal(SIGHUP)
        try exporter.waitForMetrics("second replaces first") {
            $0.value("test_second") == 2 && $0.value("test_first") == nil && $0.value("chat_exporter_config_last_reload_successful") == 1
        }

        // The same collector with other SQL (and an hour's interval): replaced, and run at once.
        try exporter.rewriteCollectors(second(interval: "1h", value: 3))
        exporter.process.signal(SIGHUP)
        try exporter.waitForMetrics("a changed collector runs its new SQL") { $0.value("test_second") == 3 }

        try exporter.rewriteCollectors("collectors:\n  - name: [broken")
        exporter.process.signal(SIGHUP)
        try exporter.waitForMetrics("the failed reload is reported") { $0.value("chat_exporter_config_last_reload_successful") == 0 }
        let metrics = try exporter.metrics()
        #expect(metrics.value("test_second") == 3)
        #expect(exporter.process.stderr().contains("configuration reload failed"))
        #expect(exporter.process.isRunning)
    }

    /// A collectors file replaced by a FIFO nobody writes to reads as empty at once (a pipe gets 5 s to deliver), and
    /// a device is refused: a reload that blocked on a FIFO used to hold every later reload and the shutdown, past
    /// systemd's stop timeout. A pipe that delivers (process substitution) is read.
    @Test func aFIFOInPlaceOfTheCollectorsFileIsRefusedAndShutdownStillWorks() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try exporterServingFirst(database)
        let path = try #require(exporter.configPath)
        try FileManager.default.removeItem(atPath: path)
        #expect(mkfifo(path, 0o600) == 0)
        exporter.process.signal(SIGHUP)
        try exporter.waitForMetrics("the reload of a FIFO fails at once") { $0.value("chat_exporter_config_last_reload_successful") == 0 }
        #expect(exporter.process.stderr().contains("the file is empty"))
        #expect(try exporter.process.terminate(timeout: .seconds(5)) == 0, "SIGTERM stops it: \(exporter.process.stderr())")

        for (special, reason) in [(path, "the file is empty"), ("/dev/zero", "not a regular file or a pipe")] {
            let result = try runProcess(Binary.chatExporter, ["validate", "--config.file", special], timeout: .seconds(10))
            #expect(result.status == 1 && result.stderr.contains(reason), "\(special): \(result.stderr)")
        }
        let substituted = try runProcess(
            "/bin/bash", ["-c", "'\(try Binary.chatExporter)' validate --config.file <(cat '\(PackageLayout.path("collectors/default.yml"))')"],
            timeout: .seconds(20))
        #expect(substituted.status == 0, "\(substituted.stdout)\(substituted.stderr)")
    }

    /// A `--database.timezone` the server does not know is the exporter's configuration, not an outage: the server
    /// answered, so the database is up and the exporter ready, while the collector fails (reason query) naming the
    /// setting. It read as a database down (ChatExporterDatabaseDown), not ready, for good.
    @Test func aTimeZoneTheServerDoesNotKnowFailsTheCollectorsNotTheDatabase() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: Self.first, database: database, arguments: ["--database.timezone=Mars/Olympus"])
        try exporter.waitForMetrics("the collector fails on the setting, the database up") {
            ($0.value("chat_exporter_collector_errors_total", ["collector": "first", "reason": "query"]) ?? 0) >= 1
                && $0.value("chat_exporter_database_up") == 1
        }
        #expect(try exporter.get("/-/ready").status == 200)
        #expect(try exporter.metrics().value("test_first") == nil)
        #expect(exporter.process.stderr().contains("session settings rejected by the server (--database.timezone?)"))
    }

    /// A port another process listens on stops the start at once (exit 1, saying which address), before any
    /// collector runs; so does one of several `--web.listen-address`es, and the others are not left listening.
    @Test func aPortInUseStopsTheStartBeforeAnyQuery() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let first = try exporterServingFirst(database)
        let free = freeTCPPort()
        for addresses in [["127.0.0.1:\(first.port)"], ["127.0.0.1:\(free)", "127.0.0.1:\(first.port)"]] {
            let second = try runProcess(
                Binary.chatExporter, addresses.map { "--web.listen-address=" + $0 } + ["--log.level=debug"],
                environment: ["DATA_SOURCE_NAME": "host=127.0.0.1 port=1 dbname=x connect_timeout=1"], timeout: .seconds(20))
            #expect(second.status == 1)
            #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(first.port): Address already in use"), "\(second.stderr)")
            #expect(!second.stderr.contains("collector run"), "no collector ran: \(second.stderr)")
            #expect(!second.stderr.contains("msg=listening"), "no listening line for the address it did bind: \(second.stderr)")
        }
    }

    /// A collectors file with one collector, `first` (test_first 1, every second).
    private static let first = """
        collectors:
          - name: first
            interval: 1s
            timeout: 1s
            sql: SELECT 1 AS v
            metrics:
              - {name: test_first, type: gauge, help: First., value: v}
        """

    /// An exporter serving ``first``.
    private func exporterServingFirst(_ database: TestDatabase) throws -> RunningExporter {
        let exporter = try RunningExporter(collectors: Self.first, database: database)
        try exporter.waitForMetrics("first") { $0.value("test_first") == 1 }
        return exporter
    }
}
