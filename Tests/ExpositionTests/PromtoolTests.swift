import Exposition
import Foundation
import Testing

/// Feeds encoder output to the real `promtool check metrics`, Prometheus' own parser and linter.
@Suite struct PromtoolTests {
    static let promtool = "/usr/bin/promtool"

    static let payload: [MetricFamily] = [
        MetricFamily(
            name: "chat_rooms_created_total", type: .counter,
            help: "Chat rooms created, with a \"hostile\" help text: back\\slash, new\nline, Ünïcödé 🚀.",
            samples: Fixtures.hostileLabelValues.enumerated().map { index, value in
                Sample(
                    labels: [Label(name: "room_type", value: value), Label(name: "index", value: String(index))],
                    value: Double(index * 1_000)
                )
            }
        ),
        MetricFamily(
            name: "chat_room_wait_seconds", type: .gauge, help: "Seconds rooms waited for a first answer.",
            samples: [
                Double.nan, .infinity, -.infinity, 0, -0.0, 0.1, 1e-7, 1.5e20, 1e15, 0.30000000000000004,
                .leastNonzeroMagnitude, .greatestFiniteMagnitude, -42, 999_999_999_999_999,
            ].enumerated().map { index, value in
                Sample(labels: [Label(name: "case", value: "value \(index)")], value: value)
            }
        ),
        MetricFamily(name: "chat_exporter_up", type: .gauge, help: "Whether the exporter is up.", samples: [Sample(value: 1)]),
        MetricFamily(name: "chat_unused_ratio", type: .gauge, help: "Not written: no samples.", samples: []),
    ]

    @Test func promtoolAcceptsTheTextFormat() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.promtool),
            "\(Self.promtool) is missing: install Prometheus' promtool (Debian package prometheus) to run this test"
        )
        let bytes = ExpositionEncoder.encode(Self.payload, format: .prometheusText)
        let result = try ProcessRunner.run(Self.promtool, ["check", "metrics"], stdin: bytes)
        #expect(
            result.status == 0,
            "promtool exited with \(result.status): \(result.stdoutText) \(result.stderrText)"
        )
        #expect(result.stdoutText.isEmpty, "promtool wrote: \(result.stdoutText)")
        #expect(result.stderrText.isEmpty, "promtool wrote: \(result.stderrText)")
    }

    @Test func promtoolRejectsBrokenInput() throws {
        // Guards the test above: a payload promtool cannot parse must fail.
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.promtool),
            "\(Self.promtool) is missing: install Prometheus' promtool (Debian package prometheus) to run this test"
        )
        let broken = Array("# TYPE m gauge\nm{a=\"unterminated\n} 1\n".utf8)
        let result = try ProcessRunner.run(Self.promtool, ["check", "metrics"], stdin: broken)
        #expect(result.status != 0)
    }
}
