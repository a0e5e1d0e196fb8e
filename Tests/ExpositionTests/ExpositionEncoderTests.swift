import Exposition
import Testing

@Suite struct ExpositionEncoderTests {
    @Test func textFormatExactBytes() {
        let bytes = ExpositionEncoder.encode(Fixtures.families, format: .prometheusText)
        #expect(String(decoding: bytes, as: UTF8.self) == Fixtures.expectedText)
        #expect(bytes == Array(Fixtures.expectedText.utf8))
    }

    @Test func openMetricsExactBytes() {
        let bytes = ExpositionEncoder.encode(Fixtures.families, format: .openMetrics)
        #expect(String(decoding: bytes, as: UTF8.self) == Fixtures.expectedOpenMetrics)
        #expect(bytes == Array(Fixtures.expectedOpenMetrics.utf8))
    }

    @Test func openMetricsCounterFamilyDropsTotalButSamplesKeepIt() {
        let family = MetricFamily(
            name: "chat_messages_total", type: .counter, help: "Messages.",
            samples: [Sample(value: 3), Sample(labels: [Label(name: "kind", value: "text")], value: 4)]
        )
        let text = String(decoding: ExpositionEncoder.encode([family], format: .openMetrics), as: UTF8.self)
        #expect(text == """
            # HELP chat_messages Messages.
            # TYPE chat_messages counter
            chat_messages_total 3
            chat_messages_total{kind="text"} 4
            # EOF

            """)
    }

    @Test func openMetricsKeepsTotalInGaugeNames() {
        // Only counters lose the suffix; a gauge's name is written as given.
        let family = MetricFamily(name: "g_total", type: .gauge, help: "A gauge.", samples: [Sample(value: 1)])
        let text = String(decoding: ExpositionEncoder.encode([family], format: .openMetrics), as: UTF8.self)
        #expect(text == "# HELP g_total A gauge.\n# TYPE g_total gauge\ng_total 1\n# EOF\n")
    }

    @Test func textFormatHasNoEOF() {
        let bytes = ExpositionEncoder.encode(Fixtures.families, format: .prometheusText)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("# EOF"))
    }

    @Test func openMetricsEndsWithExactlyOneEOF() {
        let text = String(decoding: ExpositionEncoder.encode(Fixtures.families, format: .openMetrics), as: UTF8.self)
        #expect(text.hasSuffix("\n# EOF\n"))
        #expect(text.components(separatedBy: "# EOF").count == 2)
    }

    @Test func emptyFamiliesAreSkippedEntirely() {
        let empty = [
            MetricFamily(name: "a", type: .gauge, help: "A.", samples: []),
            MetricFamily(name: "b_total", type: .counter, help: "B.", samples: []),
        ]
        #expect(ExpositionEncoder.encode(empty, format: .prometheusText).isEmpty)
        #expect(ExpositionEncoder.encode(empty, format: .openMetrics) == Array("# EOF\n".utf8))
        #expect(ExpositionEncoder.encode([], format: .prometheusText).isEmpty)
        #expect(ExpositionEncoder.encode([], format: .openMetrics) == Array("# EOF\n".utf8))
        let text = String(decoding: ExpositionEncoder.encode(Fixtures.families, format: .prometheusText), as: UTF8.self)
        #expect(!text.contains("chat_nothing_here"))
    }

    @Test(arguments: [ExpositionFormat.prometheusText, .openMetrics])
    func oneHelpAndOneTypeLinePerFamily(format: ExpositionFormat) {
        let samples = (0..<50).map { Sample(labels: [Label(name: "i", value: String($0))], value: Double($0)) }
        let families = [
            MetricFamily(name: "x_total", type: .counter, help: "X.", samples: samples),
            MetricFamily(name: "y", type: .gauge, help: "Y.", samples: samples),
        ]
        let lines = String(decoding: ExpositionEncoder.encode(families, format: format), as: UTF8.self)
            .split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("# HELP ") }.count == 2)
        #expect(lines.filter { $0.hasPrefix("# TYPE ") }.count == 2)
        #expect(lines.filter { !$0.hasPrefix("#") }.count == 100)
    }

    @Test func familiesAndLabelsKeepTheGivenOrder() {
        let families = [
            MetricFamily(name: "zz", type: .gauge, help: "Z.", samples: [
                Sample(labels: [Label(name: "z", value: "1"), Label(name: "a", value: "2")], value: 1),
            ]),
            MetricFamily(name: "aa", type: .gauge, help: "A.", samples: [Sample(value: 2)]),
        ]
        let text = String(decoding: ExpositionEncoder.encode(families, format: .prometheusText), as: UTF8.self)
        #expect(text == """
            # HELP zz Z.
            # TYPE zz gauge
            zz{z="1",a="2"} 1
            # HELP aa A.
            # TYPE aa gauge
            aa 2

            """)
    }

    @Test(arguments: [ExpositionFormat.prometheusText, .openMetrics])
    func appendKeepsWhatIsAlreadyInTheBuffer(format: ExpositionFormat) {
        var bytes = Array("prefix\n".utf8)
        ExpositionEncoder.append(Fixtures.families, format: format, into: &bytes)
        #expect(bytes == Array("prefix\n".utf8) + ExpositionEncoder.encode(Fixtures.families, format: format))
    }

    @Test func encodesManySamples() {
        let platforms = ["ios", "android", "web"]
        let samples = (0..<10_000).map { (index: Int) -> Sample in
            let labels = [
                Label(name: "room_type", value: "type_\(index % 17)"),
                Label(name: "platform", value: platforms[index % 3]),
                Label(name: "shard", value: String(index)),
            ]
            let value = index.isMultiple(of: 2) ? Double(index) : Double(index) / 7
            return Sample(labels: labels, value: value)
        }
        let family = MetricFamily(name: "chat_rooms_created_total", type: .counter, help: "Rooms.", samples: samples)
        let bytes = ExpositionEncoder.encode([family], format: .prometheusText)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 10_002)
        #expect(lines[2] == #"chat_rooms_created_total{room_type="type_0",platform="ios",shard="0"} 0"#)
        #expect(lines[3] == #"chat_rooms_created_total{room_type="type_1",platform="android",shard="1"} 0.14285714285714285"#)
    }
}
