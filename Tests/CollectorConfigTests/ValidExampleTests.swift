import CollectorConfig
import Exposition
import Testing

@Suite("The valid example")
struct ValidExampleTests {
    static let path = Fixtures.path("valid/example.yml")

    @Test("parses into the exact definitions")
    func parsesExactly() throws {
        let file = try CollectorsFileLoader.load(path: Self.path)
        #expect(file.path == Self.path)
        #expect(file.settings == Self.expectedSettings)
        #expect(file.collectors.map(\.name) == ["chat_rooms", "chat_creation_slow", "audit_events"])
        for (actual, expected) in zip(file.collectors, Self.expectedCollectors) {
            #expect(actual == expected)
        }
        #expect(file == CollectorsFile(collectors: Self.expectedCollectors, settings: Self.expectedSettings, path: Self.path))
    }

    static let expectedSettings: [String: String?] = [
        "timezone": "UTC",
        "slow_threshold_seconds": "3600",
        "audit_action_pattern": "chat.%",
        "include_archived": "false",
        "tenant": nil,
    ]

    static let expectedCollectors: [CollectorDefinition] = [
        CollectorDefinition(
            name: "chat_rooms",
            description: "Rooms by soft-delete state.",
            sql: """
                SELECT CASE WHEN deleted_at IS NULL THEN 'active' ELSE 'deleted' END AS state,
                       count(*) AS count
                  FROM chat_rooms
                 GROUP BY 1

                """,
            interval: .seconds(60),
            timeout: .seconds(15),
            parameters: [],
            metrics: [
                MetricDefinition(
                    name: "chat_rooms", type: .gauge, help: "Rooms by soft-delete state.", valueColumn: "count",
                    labelColumns: ["state"],
                    constLabels: [ConstLabel(name: "source", value: "platform"), ConstLabel(name: "tier", value: "1")],
                    maxSeries: 5000)
            ]),
        CollectorDefinition(
            name: "chat_creation_slow",
            description: "Chats whose creation took longer than the threshold, per day in the configured time zone.",
            sql: "SELECT date_trunc('day', created_at AT TIME ZONE $1)::date::text AS day, kind, count(*) AS n, "
                + "sum(seconds) AS s FROM chat_creations WHERE seconds > $2 AND seconds < $3 AND $4 AND tenant IS DISTINCT FROM $5 "
                + "AND note <> $6 AND region = $7 GROUP BY 1, 2",
            interval: .seconds(300),
            timeout: .seconds(90),
            parameters: ["UTC", "3600", "3600", "true", nil, "literal text", nil],
            metrics: [
                MetricDefinition(
                    name: "chat_creation_slow_total", type: .counter,
                    help: "Chats whose creation took longer than the threshold.", valueColumn: "n",
                    labelColumns: ["kind", "day"], constLabels: [], maxSeries: 400),
                MetricDefinition(
                    name: "chat_creation_slow_seconds_total", type: .counter, help: "Time spent creating slow chats.",
                    valueColumn: "s", labelColumns: ["kind", "day"],
                    constLabels: [
                        ConstLabel(name: "unit", value: "seconds"), ConstLabel(name: "b", value: "2"),
                        ConstLabel(name: "a", value: "x"),
                    ],
                    maxSeries: 5000),
            ]),
        CollectorDefinition(
            name: "audit_events",
            description: nil,
            sql: "SELECT action, count(*) AS n FROM audit_log WHERE action LIKE $1 GROUP BY action",
            interval: .seconds(10),
            timeout: .seconds(5),
            parameters: ["chat.%"],
            metrics: [
                MetricDefinition(
                    name: "chat_rooms", type: .gauge, help: "Rooms by soft-delete state.", valueColumn: "n",
                    labelColumns: ["action"], constLabels: [], maxSeries: 5000)
            ]),
    ]
}
