import Foundation
import Testing
import TestSupport

/// What `/metrics` serves: collector results and self-metrics, valid for promtool, escaped, negotiated.
struct MetricsEndpointTests {
    @Test func servesCollectorResultsThatPromtoolAccepts() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        try database.execute("INSERT INTO users (email, role) VALUES ('t@example.com', 'teacher'), ('s1@example.com', 'student'), ('s2@example.com', 'student')")
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: users_by_role
                interval: 1s
                timeout: 1s
                sql: SELECT role, count(*) AS users FROM users GROUP BY role
                metrics:
                  - name: test_users
                    type: gauge
                    help: Users by role.
                    value: users
                    labels: [role]
                    const_labels: {source: platform}
            """, database: database)
        try exporter.waitUntilReady()
        let metrics = try exporter.metrics()
        #expect(metrics.value("test_users", ["role": "teacher", "source": "platform"]) == 1)
        #expect(metrics.value("test_users", ["role": "student", "source": "platform"]) == 2)
        #expect(metrics.value("chat_exporter_database_up") == 1)
        #expect(metrics.value("chat_exporter_collector_success", ["collector": "users_by_role"]) == 1)
        #expect(metrics.value("chat_exporter_collector_series", ["collector": "users_by_role"]) == 2)
        #expect(metrics.value("chat_exporter_collector_interval_seconds", ["collector": "users_by_role"]) == 1)
        for reason in ["timeout", "query", "connection", "invalid_value", "cardinality"] {
            #expect(metrics.value("chat_exporter_collector_errors_total", ["collector": "users_by_role", "reason": reason]) == 0)
        }
        #expect(metrics.value("chat_exporter_config_last_reload_successful") == 1)
        #expect((metrics.value("process_resident_memory_bytes") ?? 0) > 0)
        #expect((metrics.value("process_open_fds") ?? 0) > 0)
        #expect((metrics.value("process_start_time_seconds") ?? 0) > 1_700_000_000)
        #expect(metrics.text.contains("chat_exporter_build_info{version=\""))
        // One HELP and one TYPE per family.
        let helpLines = metrics.text.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] }
        #expect(Set(helpLines).count == helpLines.count)

        let check = try Promtool.checkMetrics(metrics.text)
        #expect(check.status == 0, "promtool: \(check.stdout) \(check.stderr)")
    }

    @Test func hostileValuesAreEscapedAndSpecialNumbersSpelledAsTheSpecSays() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: #"""
            collectors:
              - name: hostile
                interval: 1s
                timeout: 1s
                sql: |
                  SELECT * FROM (VALUES
                    (E'quote " backslash \\ newline \n end', 'NaN'::float8),
                    ('plus', 'Infinity'::float8),
                    ('minus', '-Infinity'::numeric),
                    (repeat('x', 5000), 0.25),
                    ('кириллица ✓', 1e-7)
                  ) AS t(label, value)
                metrics:
                  - name: test_hostile
                    type: gauge
                    help: "Help with a backslash \\ and a\nnewline."
                    value: value
                    labels: [label]
            """#, database: database)
        try exporter.waitUntilReady()
        let response = try exporter.get("/metrics")
        let text = response.text
        #expect(text.contains(#"test_hostile{label="quote \" backslash \\ newline \n end"} NaN"#))
        #expect(text.contains(#"test_hostile{label="plus"} +Inf"#))
        #expect(text.contains(#"test_hostile{label="minus"} -Inf"#))
        #expect(text.contains(#"test_hostile{label="кириллица ✓"} 1e-07"#))
        #expect(text.contains(#"# HELP test_hostile Help with a backslash \\ and a\nnewline."#))
        let check = try Promtool.checkMetrics(text)
        #expect(check.status == 0, "promtool: \(check.stdout) \(check.stderr)")
    }

    @Test func invalidUTF8FromTheDatabaseNeverBreaksTheExposition() throws {
        // A SQL_ASCII database stores any bytes. The exporter's sessions ask for client_encoding UTF8, so the
        // server refuses to send invalid UTF-8 (SQLSTATE 22021): that collector fails, nothing else does, and
        // the exposition stays valid. (Bytes that got through anyway would be repaired to U+FFFD by the client.)
        let server = try TestPostgres.shared()
        let name = "ascii_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try server.psql("CREATE DATABASE \(name) ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        defer { _ = try? server.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        let exporter = try RunningExporter(collectors: #"""
            collectors:
              - name: bytes
                interval: 1s
                timeout: 1s
                sql: SELECT E'caf\xe9 \xff\xfe end' AS label, 1 AS v
                metrics:
                  - {name: test_bytes, type: gauge, help: Invalid UTF-8 in a label., value: v, labels: [label]}
              - name: ascii
                interval: 1s
                timeout: 1s
                sql: SELECT 'plain' AS label, 2 AS v
                metrics:
                  - {name: test_ascii, type: gauge, help: Plain text., value: v, labels: [label]}
            """#, database: nil, environment: ["DATA_SOURCE_NAME": "host=\(server.host) port=\(server.port) dbname=\(name) user=\(server.superuser) password=\(server.password)"])
        // Both collectors have run: the bytes refused, the plain text served (on a loaded machine the plain one's
        // first run can come after the other's failure, so waiting for the failure alone raced it).
        try exporter.waitForMetrics("the invalid bytes were refused and the plain text served") {
            ($0.value("chat_exporter_collector_errors_total", ["collector": "bytes", "reason": "query"]) ?? 0) >= 1
                && $0.value("test_ascii", ["label": "plain"]) != nil
        }
        let response = try exporter.get("/metrics")
        #expect(String(validating: response.body, as: UTF8.self) != nil, "the body is valid UTF-8")
        let metrics = Exposition(text: response.text)
        #expect(metrics.all("test_bytes").isEmpty)
        #expect(metrics.value("test_ascii", ["label": "plain"]) == 2)
        #expect(exporter.process.stderr().contains("sqlstate=22021"))
        let check = try Promtool.checkMetrics(response.text)
        #expect(check.status == 0, "promtool: \(check.stdout) \(check.stderr)")
    }

    @Test func nullValuesAreSkippedAndCountedAndNullLabelsAreEmpty() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: nulls
                interval: 1s
                timeout: 1s
                sql: SELECT * FROM (VALUES ('a', NULL::int), (NULL, 7)) AS t(k, v)
                metrics:
                  - {name: test_nulls, type: gauge, help: Nulls., value: v, labels: [k]}
            """, database: database)
        try exporter.waitUntilReady()
        let metrics = try exporter.metrics()
        #expect(metrics.value("test_nulls", ["k": ""]) == 7)
        #expect(metrics.value("test_nulls", ["k": "a"]) == nil)
        #expect((metrics.value("chat_exporter_collector_null_values_total", ["collector": "nulls"]) ?? 0) >= 1)
        #expect(metrics.value("chat_exporter_collector_success", ["collector": "nulls"]) == 1)
    }

    /// Prometheus reads `m{k=""}` as `m` and keeps `café` in NFC and NFD as two series: the exporter's idea of a
    /// duplicate must be the same, or Prometheus drops a sample silently (two collectors) or the exporter fails a
    /// collector whose rows PostgreSQL holds distinct (one collector).
    @Test func seriesAreTheSameOrDistinctAsPrometheusSeesThem() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: #"""
            collectors:
              - name: labelled
                interval: 1s
                timeout: 1s
                sql: SELECT NULL::text AS state, 1 AS v
                metrics:
                  - {name: test_same, type: gauge, help: Same series., value: v, labels: [state]}
              - name: bare
                interval: 1s
                timeout: 1s
                sql: SELECT 2 AS v
                metrics:
                  - {name: test_same, type: gauge, help: Same series., value: v}
              - name: unicode
                interval: 1s
                timeout: 1s
                sql: SELECT * FROM (VALUES (U&'caf\00E9', 1), (U&'cafe\0301', 2)) AS t(name, v)
                metrics:
                  - {name: test_unicode, type: gauge, help: Two spellings., value: v, labels: [name]}
            """#, database: database)
        try exporter.waitUntilReady()
        let text = try exporter.get("/metrics").text
        let same = text.split(separator: "\n").filter { $0.hasPrefix("test_same") }
        #expect(same.count == 1, "served once: \(same)")
        let unicode = text.split(separator: "\n").filter { $0.hasPrefix("test_unicode") }
        #expect(unicode.count == 2, "\(unicode)")
        let metrics = Exposition(text: text)
        #expect(metrics.value("chat_exporter_collector_success", ["collector": "unicode"]) == 1)
        let check = try Promtool.checkMetrics(text)
        #expect(check.status == 0, "promtool: \(check.stdout) \(check.stderr)")
    }

    @Test func openMetricsAndGzipAreNegotiated() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: """
            collectors:
              - name: one
                interval: 1s
                timeout: 1s
                sql: SELECT 3 AS rooms
                metrics:
                  - {name: test_rooms_created_total, type: counter, help: Rooms., value: rooms}
            """, database: database)
        try exporter.waitUntilReady()
        let prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        let openMetrics = try exporter.get("/metrics", headers: [("Accept", prometheusAccept)])
        #expect(openMetrics.header("content-type") == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(openMetrics.text.hasSuffix("# EOF\n"))
        #expect(openMetrics.text.contains("# TYPE test_rooms_created counter\ntest_rooms_created_total 3\n"))

        let plain = try exporter.get("/metrics")
        #expect(plain.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(plain.header("content-encoding") == nil)
        #expect(plain.text.contains("# TYPE test_rooms_created_total counter\ntest_rooms_created_total 3\n"))

        let gzipped = try exporter.get("/metrics", headers: [("Accept-Encoding", "gzip, deflate")])
        #expect(gzipped.header("content-encoding") == "gzip")
        let file = exporter.directory + "/metrics.gz"
        #expect(FileManager.default.createFile(atPath: file, contents: Data(gzipped.body)))
        let unzipped = try runProcess("gzip", ["-dc", file])
        #expect(unzipped.status == 0)
        #expect(unzipped.stdout.contains("test_rooms_created_total 3\n"))
        #expect(gzipped.body.count < plain.body.count)
    }

    @Test func unknownPathsAre404AndOtherMethods405() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let exporter = try RunningExporter(collectors: nil, database: database)
        #expect(try exporter.get("/nope").status == 404)
        #expect(try exporter.get("/metrics/extra").status == 404)
        let post = try exporter.get("/metrics", method: "POST")
        #expect(post.status == 405)
        #expect(post.header("allow")?.contains("GET") == true)
        #expect(try exporter.get("/", method: "DELETE").status == 405)
        let head = try exporter.get("/metrics", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(try exporter.get("/-/healthy").status == 200)
        // The landing page writes intervals and timeouts as the collectors file does (the default chat_lessons:
        // every 5m, 30s timeout), not as "300.0s".
        let landing = try exporter.get("/").text
        #expect(landing.contains("<td>chat_lessons</td><td>5m</td><td>30s</td>"), "\(landing)")

        // Every answer above is counted by its code, as the next sample (every 2 s) reports them.
        try exporter.waitForMetrics(timeout: .seconds(10), "the responses above counted") { metrics in
            (metrics.value("chat_exporter_http_responses_total", ["code": "404"]) ?? 0) >= 2
                && (metrics.value("chat_exporter_http_responses_total", ["code": "405"]) ?? 0) >= 2
                && (metrics.value("chat_exporter_http_responses_total", ["code": "200"]) ?? 0) >= 3
        }
    }
}
