import Exposition

/// Metric families shared by the encoder tests.
enum Fixtures {
    /// A counter with two labelled series, a gauge without labels, an empty family (which must not
    /// be written) and a gauge with a fractional value.
    static let families: [MetricFamily] = [
        MetricFamily(
            name: "chat_rooms_created_total", type: .counter, help: "Chat rooms created, by room type.",
            samples: [
                Sample(labels: [Label(name: "room_type", value: "booking"), Label(name: "platform", value: "ios")], value: 42),
                Sample(labels: [Label(name: "room_type", value: "support"), Label(name: "platform", value: "web")], value: 7),
            ]
        ),
        MetricFamily(
            name: "chat_exporter_up", type: .gauge, help: "Whether the last collector run succeeded.",
            samples: [Sample(value: 1)]
        ),
        MetricFamily(name: "chat_nothing_here", type: .gauge, help: "A family without samples.", samples: []),
        MetricFamily(
            name: "chat_oldest_open_room_age_seconds", type: .gauge, help: "Age of the oldest open room.",
            samples: [Sample(labels: [Label(name: "room_type", value: "booking")], value: 12.5)]
        ),
    ]

    static let expectedText = """
        # HELP chat_rooms_created_total Chat rooms created, by room type.
        # TYPE chat_rooms_created_total counter
        chat_rooms_created_total{room_type="booking",platform="ios"} 42
        chat_rooms_created_total{room_type="support",platform="web"} 7
        # HELP chat_exporter_up Whether the last collector run succeeded.
        # TYPE chat_exporter_up gauge
        chat_exporter_up 1
        # HELP chat_oldest_open_room_age_seconds Age of the oldest open room.
        # TYPE chat_oldest_open_room_age_seconds gauge
        chat_oldest_open_room_age_seconds{room_type="booking"} 12.5

        """

    static let expectedOpenMetrics = """
        # HELP chat_rooms_created Chat rooms created, by room type.
        # TYPE chat_rooms_created counter
        chat_rooms_created_total{room_type="booking",platform="ios"} 42
        chat_rooms_created_total{room_type="support",platform="web"} 7
        # HELP chat_exporter_up Whether the last collector run succeeded.
        # TYPE chat_exporter_up gauge
        chat_exporter_up 1
        # HELP chat_oldest_open_room_age_seconds Age of the oldest open room.
        # TYPE chat_oldest_open_room_age_seconds gauge
        chat_oldest_open_room_age_seconds{room_type="booking"} 12.5
        # EOF

        """

    /// One gauge family with one sample carrying `value`.
    static func single(_ value: Double, labels: [Label] = []) -> [MetricFamily] {
        [MetricFamily(name: "v", type: .gauge, help: "h", samples: [Sample(labels: labels, value: value)])]
    }

    /// Label values that try to break the format.
    static let hostileLabelValues: [String] = [
        "plain",
        "",
        #"quote " inside"#,
        #"back\slash"#,
        "trailing backslash \\",
        "new\nline",
        "\n\n",
        #"\"#,
        #"\n is not a newline here"#,
        #"\""#,
        "carriage\rreturn and\ttab",
        "Ünïcödé 日本語 🚀 zero\u{200B}width",
        String(repeating: "long-value-\"\\\n-", count: 2_000),
    ]
}
