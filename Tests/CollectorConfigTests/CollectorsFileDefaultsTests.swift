import CollectorConfig
import Foundation
import Testing

@Suite("Defaults and resolution")
struct CollectorsFileDefaultsTests {
    /// A file with one collector whose collector-level keys are `collectorKeys` and metric-level keys
    /// `metricKeys`, preceded by `head`.
    static func file(head: String = "", collectorKeys: String = "", metricKeys: String = "") -> String {
        """
        \(head)
        collectors:
          - name: rooms
        \(collectorKeys)
            sql: SELECT 1 AS n
            metrics:
              - name: rooms_total
                type: counter
                help: Rooms.
                value: n
        \(metricKeys)
        """
    }

    static func parse(_ yaml: String) throws -> CollectorDefinition {
        let file = try CollectorsFileLoader.parse(yaml: yaml, path: "test.yml")
        return try #require(file.collectors.first)
    }

    @Test("without global, a collector runs every 30s with a 10s timeout and 10000 series per metric")
    func builtInDefaults() throws {
        let collector = try Self.parse(Self.file())
        #expect(collector.interval == .seconds(30))
        #expect(collector.timeout == .seconds(10))
        #expect(collector.metrics.first?.maxSeries == 10_000)
        #expect(collector.description == nil)
        #expect(collector.parameters.isEmpty)
        #expect(collector.metrics.first?.labelColumns == [])
        #expect(collector.metrics.first?.constLabels == [])
    }

    @Test("the built-in timeout is capped at a shorter interval")
    func defaultTimeoutCappedAtInterval() throws {
        let collector = try Self.parse(Self.file(collectorKeys: "    interval: 5s"))
        #expect(collector.interval == .seconds(5))
        #expect(collector.timeout == .seconds(5))

        let global = try Self.parse(Self.file(head: "global:\n  interval: 3s"))
        #expect(global.interval == .seconds(3))
        #expect(global.timeout == .seconds(3))
    }

    @Test("global values apply where the collector and metric set none")
    func globalDefaults() throws {
        let collector = try Self.parse(
            Self.file(head: "global:\n  interval: 2m\n  timeout: 20s\n  max_series: 7", collectorKeys: "    description: x"))
        #expect(collector.interval == .seconds(120))
        #expect(collector.timeout == .seconds(20))
        #expect(collector.metrics.first?.maxSeries == 7)
        #expect(collector.description == "x")
    }

    @Test("a global timeout longer than the default interval is fine when every collector's own interval is longer")
    func globalTimeoutWithCollectorIntervals() throws {
        let collector = try Self.parse(Self.file(head: "global:\n  timeout: 1m", collectorKeys: "    interval: 5m"))
        #expect(collector.interval == .seconds(300))
        #expect(collector.timeout == .seconds(60))
    }

    @Test("a help text written as a block scalar loses its final newline")
    func blockScalarHelp() throws {
        let yaml = Self.file().replacingOccurrences(of: "help: Rooms.", with: "help: |\n          Rooms, in a block.\n")
        let collector = try Self.parse(yaml)
        #expect(collector.metrics.first?.help == "Rooms, in a block.")
    }

    @Test("collector and metric values override global ones")
    func overrides() throws {
        let collector = try Self.parse(
            Self.file(
                head: "global:\n  interval: 2m\n  timeout: 20s\n  max_series: 7",
                collectorKeys: "    interval: 1h30m\n    timeout: 1m", metricKeys: "        max_series: 3"))
        #expect(collector.interval == .seconds(5400))
        #expect(collector.timeout == .seconds(60))
        #expect(collector.metrics.first?.maxSeries == 3)
    }

    @Test("empty optional sections are the same as absent ones")
    func emptySections() throws {
        let collector = try Self.parse(
            Self.file(
                head: "global:\nsettings:", collectorKeys: "    parameters:\n    description:",
                metricKeys: "        labels:\n        const_labels:"))
        #expect(collector.interval == .seconds(30))
        #expect(collector.parameters == [])
        #expect(collector.description == nil)
    }

    @Test("literal parameters keep their YAML text; null is SQL NULL; settings are substituted")
    func parameterText() throws {
        let collector = try Self.parse(
            Self.file(
                head: "settings:\n  limit: 0x10\n  nothing: null\n  flag: on",
                collectorKeys: """
                        parameters:
                          - 0x1F
                          - 1_000
                          - yes
                          - ~
                          - ''
                          - "null"
                          - 1.5
                          - {setting: limit}
                          - setting: nothing
                          - setting: flag
                    """).replacingOccurrences(
                        of: "sql: SELECT 1 AS n",
                        with: "sql: SELECT 1 AS n WHERE concat($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text) IS NOT NULL"))
        #expect(collector.parameters == ["0x1F", "1_000", "yes", nil, "", "null", "1.5", "0x10", nil, "on"])
    }

    @Test("settings keep their textual form, null as nil")
    func settings() throws {
        let file = try CollectorsFileLoader.parse(
            yaml: Self.file(head: "settings:\n  a: 1\n  b: text\n  c:\n  d: false"), path: "test.yml")
        #expect(file.settings == ["a": "1", "b": "text", "c": nil, "d": "false"])
    }

    @Test("one metric name may appear in several collectors with the same type and help")
    func sharedMetricAcrossCollectors() throws {
        let yaml = """
            collectors:
              - name: one
                sql: SELECT 1 AS n
                metrics: [{name: rooms, type: gauge, help: Rooms., value: n, const_labels: {source: one}}]
              - name: two
                sql: SELECT 2 AS n
                metrics: [{name: rooms, type: gauge, help: Rooms., value: n, const_labels: {source: two}}]
            """
        let file = try CollectorsFileLoader.parse(yaml: yaml, path: "test.yml")
        #expect(file.collectors.map { $0.metrics.map(\.name) } == [["rooms"], ["rooms"]])
    }

    @Test("one collector may turn several columns into one metric, told apart by a const label")
    func columnsToOneMetric() throws {
        let yaml = """
            collectors:
              - name: rooms
                sql: SELECT 3 AS live, 1 AS deleted
                metrics:
                  - {name: chat_rooms, type: gauge, help: Rooms., value: live, const_labels: {state: live}}
                  - {name: chat_rooms, type: gauge, help: Rooms., value: deleted, const_labels: {state: deleted}}
            """
        let collector = try Self.parse(yaml)
        #expect(collector.metrics.map(\.valueColumn) == ["live", "deleted"])
        #expect(collector.metrics.map(\.constLabels) == [
            [ConstLabel(name: "state", value: "live")], [ConstLabel(name: "state", value: "deleted")],
        ])
    }

    @Test("the collectors file the project ships is valid")
    func shippedDefaultCollectors() throws {
        let file = try CollectorsFileLoader.loadDefaultCollectors()
        #expect(!file.collectors.isEmpty)
        #expect(file.path == CollectorsFileLoader.defaultCollectorsPath)
    }

    @Test("a label called collector is an ordinary label")
    func collectorLabelAllowed() throws {
        let collector = try Self.parse(Self.file(metricKeys: "        labels: [collector]\n        const_labels: {job: x}"))
        #expect(collector.metrics.first?.labelColumns == ["collector"])
        #expect(collector.metrics.first?.constLabels == [ConstLabel(name: "job", value: "x")])
    }
}

@Suite("What validate reads in the SQL")
struct SQLShapeTests {
    @Test("a trailing semicolon, comments and quoted semicolons are one statement")
    func oneStatement() throws {
        for sql in [
            "SELECT 1 AS n;", "SELECT 1 AS n ;  -- done\n", "SELECT ';' AS n", "SELECT 1 AS n /* ; */", "SELECT $$;$$ AS n;\n/* end */",
            "SELECT E'\\';' AS n", "SELECT \"a;b\" FROM t", "SELECT $body$ ; $1 $body$ AS n",
            "SELECT E'a'\n'\\'; x' AS n",  // a continued E'' constant keeps its escapes
            "SELECT 1 AS n /* a /* nested ; */ still a comment ; */",  // PostgreSQL's block comments nest
        ] {
            let yaml = CollectorsFileDefaultsTests.file().replacingOccurrences(of: "sql: SELECT 1 AS n", with: "sql: \(Self.quoted(sql))")
            #expect(throws: Never.self, "\(sql)") { try CollectorsFileDefaultsTests.parse(yaml) }
        }
    }

    @Test("identifiers with a dollar are not placeholders, and $10 is ten")
    func placeholders() throws {
        let yaml = CollectorsFileDefaultsTests.file(collectorKeys: "    parameters: [1]")
            .replacingOccurrences(of: "sql: SELECT 1 AS n", with: "sql: \(Self.quoted("SELECT a$2 AS n FROM t WHERE x = $1"))")
        #expect(throws: Never.self) { try CollectorsFileDefaultsTests.parse(yaml) }
        let ten = CollectorsFileDefaultsTests.file(collectorKeys: "    parameters: [1]")
            .replacingOccurrences(of: "sql: SELECT 1 AS n", with: "sql: \(Self.quoted("SELECT $1 AS n WHERE $10 > 0"))")
        let error = #expect(throws: ConfigError.self) { try CollectorsFileDefaultsTests.parse(ten) }
        #expect(error?.message.contains("sql uses $10") == true, "\(String(describing: error))")
    }

    private static func quoted(_ sql: String) -> String {
        "\"" + sql.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
