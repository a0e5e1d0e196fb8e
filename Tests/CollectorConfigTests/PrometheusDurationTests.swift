import CollectorConfig
import Testing

@Suite("Prometheus durations")
struct PrometheusDurationTests {
    static let valid: [(String, Duration)] = [
        ("30s", .seconds(30)),
        ("500ms", .milliseconds(500)),
        ("1h30m", .seconds(5400)),
        ("1m30s", .seconds(90)),
        ("1w2d3h4m5s6ms", .milliseconds(Int64(788_645_006))),
        ("0s", .zero),
        ("90s", .seconds(90)),
        ("2d", .seconds(172_800)),
        ("1y", .seconds(31_536_000)),  // 365 days, as Prometheus counts a year
        ("1y2w", .seconds(32_745_600)),
    ]

    @Test("valid durations", arguments: valid)
    func parses(text: String, expected: Duration) throws {
        #expect(try PrometheusDuration.parse(text) == expected)
    }

    @Test("invalid durations", arguments: [
        ("", "empty value"),
        ("5", "missing unit"),
        ("5x", "unknown unit \"x\""),
        ("-1s", "negative durations are not allowed"),
        ("1.5s", "unexpected \".\""),
        ("30s1m", "decreasing order"),
        ("1m1m", "decreasing order"),
        ("s", "expected a number"),
        ("1h 30m", "expected a number at \" 30m\""),
        ("5S", "unknown unit \"S\""),
        ("99999999999999999999s", "too long"),
        ("9999999999999999w", "too long"),
        ("1w1y", "decreasing order"),
    ])
    func rejects(text: String, reason: String) {
        let error = #expect(throws: PrometheusDuration.ParseError.self) { try PrometheusDuration.parse(text) }
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("invalid duration \"\(text)\": ") == true)
    }

    static let formatted: [(Duration, String)] = [
        (.seconds(90), "1m30s"),
        (.zero, "0s"),
        (.milliseconds(1500), "1s500ms"),
        (.seconds(604_800), "1w"),
        (.seconds(93_784), "1d2h3m4s"),
        (.seconds(31_536_000 + 86_400), "1y1d"),
    ]

    @Test("formatting uses the largest units first", arguments: formatted)
    func formats(duration: Duration, expected: String) throws {
        #expect(PrometheusDuration.format(duration) == expected)
        #expect(try PrometheusDuration.parse(expected) == duration)
    }
}
