import Exposition
import Testing

@Suite struct EscapingTests {
    @Test(arguments: [ExpositionFormat.prometheusText, .openMetrics])
    func labelValuesAreEscaped(format: ExpositionFormat) {
        let family = MetricFamily(name: "m", type: .gauge, help: "H.", samples: [
            Sample(labels: [Label(name: "a", value: #"say "hi""#)], value: 1),
            Sample(labels: [Label(name: "a", value: #"C:\path\"#)], value: 2),
            Sample(labels: [Label(name: "a", value: "two\nlines")], value: 3),
            Sample(labels: [Label(name: "a", value: #"\n"#)], value: 4),
            Sample(labels: [Label(name: "a", value: "Ünïcödé 日本語 🚀")], value: 5),
            Sample(labels: [Label(name: "a", value: "tab\there\rcr")], value: 6),
            Sample(labels: [Label(name: "a", value: "")], value: 7),
        ])
        let lines = String(decoding: ExpositionEncoder.encode([family], format: format), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[2] == #"m{a="say \"hi\""} 1"#)
        #expect(lines[3] == #"m{a="C:\\path\\"} 2"#)
        #expect(lines[4] == #"m{a="two\nlines"} 3"#)
        #expect(lines[5] == #"m{a="\\n"} 4"#)
        #expect(lines[6] == #"m{a="Ünïcödé 日本語 🚀"} 5"#)
        #expect(lines[7] == "m{a=\"tab\there\rcr\"} 6")
        #expect(lines[8] == #"m{a=""} 7"#)
    }

    @Test func unicodeIsWrittenAsItsUTF8Bytes() {
        let bytes = ExpositionEncoder.encode(Fixtures.single(1, labels: [Label(name: "a", value: "é🚀")]), format: .prometheusText)
        let expected: [UInt8] = Array(#"v{a=""#.utf8) + [0xC3, 0xA9, 0xF0, 0x9F, 0x9A, 0x80] + Array(#""} 1"#.utf8) + [0x0A]
        #expect(Array(bytes.suffix(expected.count)) == expected)
    }

    @Test func textHelpEscapesBackslashAndNewlineButNotQuotes() {
        let family = MetricFamily(name: "m", type: .gauge, help: "A \"quoted\" C:\\dir\nsecond line ü", samples: [Sample(value: 1)])
        let text = String(decoding: ExpositionEncoder.encode([family], format: .prometheusText), as: UTF8.self)
        #expect(text.hasPrefix(#"# HELP m A "quoted" C:\\dir\nsecond line ü"# + "\n# TYPE m gauge\n"))
    }

    @Test func openMetricsHelpEscapesBackslashNewlineAndQuotes() {
        let family = MetricFamily(name: "m", type: .gauge, help: "A \"quoted\" C:\\dir\nsecond line ü", samples: [Sample(value: 1)])
        let text = String(decoding: ExpositionEncoder.encode([family], format: .openMetrics), as: UTF8.self)
        #expect(text.hasPrefix(#"# HELP m A \"quoted\" C:\\dir\nsecond line ü"# + "\n# TYPE m gauge\n"))
    }

    @Test(arguments: [ExpositionFormat.prometheusText, .openMetrics])
    func hostileValuesNeverBreakTheLineStructure(format: ExpositionFormat) {
        let samples = Fixtures.hostileLabelValues.enumerated().map { index, value in
            Sample(labels: [Label(name: "v", value: value), Label(name: "i", value: String(index))], value: Double(index))
        }
        let family = MetricFamily(name: "m", type: .gauge, help: "Hostile \"help\"\n\\", samples: samples)
        let lines = String(decoding: ExpositionEncoder.encode([family], format: format), as: UTF8.self)
            .split(separator: "\n")
        let expectedLines = 2 + samples.count + (format == .openMetrics ? 1 : 0)
        #expect(lines.count == expectedLines)
        for (index, line) in lines.dropFirst(2).prefix(samples.count).enumerated() {
            #expect(line.hasPrefix(#"m{v=""#))
            #expect(line.hasSuffix(#"",i="\#(index)"} \#(index)"#))
        }
    }

    @Test func escapedLabelValuesReadBack() {
        for value in Fixtures.hostileLabelValues {
            let line = String(decoding: ExpositionEncoder.encode(Fixtures.single(0, labels: [Label(name: "a", value: value)]), format: .prometheusText), as: UTF8.self)
                .split(separator: "\n")[2]
            let quoted = line.dropFirst(#"v{a=""#.count).dropLast(#""} 0"#.count)
            #expect(unescape(quoted) == value)
        }
    }

    /// The reading side of the label value escaping, as Prometheus' parsers do it.
    private func unescape(_ text: Substring) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
