import Exposition
import Testing
import TestSupport

@Suite struct ValueFormattingTests {
    /// The value part of the single sample line of a one-sample family.
    private func encodedValue(_ value: Double, format: ExpositionFormat = .prometheusText) -> String {
        let text = String(decoding: ExpositionEncoder.encode(Fixtures.single(value), format: format), as: UTF8.self)
        let sampleLine = text.split(separator: "\n")[2]
        return String(sampleLine.dropFirst("v ".count))
    }

    static let cases: [(Double, String)] = [
        (0, "0"),
        (-0.0, "0"),
        (1, "1"),
        (42, "42"),
        (-3, "-3"),
        (10, "10"),
        (1_000_000, "1000000"),
        (999_999_999_999_999, "999999999999999"),
        (-999_999_999_999_999, "-999999999999999"),
        (.nan, "NaN"),
        (-Double.nan, "NaN"),
        (.infinity, "+Inf"),
        (-.infinity, "-Inf"),
        (0.1, "0.1"),
        (12.5, "12.5"),
        (-0.25, "-0.25"),
        (0.30000000000000004, "0.30000000000000004"),
        (1e-7, "1e-07"),
        (1.5e20, "1.5e+20"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (-1e15, "-1000000000000000.0"),
        (123456789.125, "123456789.125"),
        (.leastNonzeroMagnitude, "5e-324"),
        (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (-.greatestFiniteMagnitude, "-1.7976931348623157e+308"),
    ]

    @Test(arguments: cases)
    func formatsValues(value: Double, expected: String) {
        #expect(encodedValue(value) == expected)
        #expect(encodedValue(value, format: .openMetrics) == expected)
    }

    /// `[+-]? digits [. digits] [e [+-] digits]`, or `NaN`, `+Inf`, `-Inf`: what both Go's
    /// `strconv.ParseFloat` and the OpenMetrics ABNF accept.
    private func isPrometheusFloat(_ text: String) -> Bool {
        if ["NaN", "+Inf", "-Inf"].contains(text) { return true }
        var rest = Substring(text)
        func digits() -> Int {
            let count = rest.prefix(while: { $0.isASCII && $0.isNumber }).count
            rest = rest.dropFirst(count)
            return count
        }
        if rest.first == "-" { rest = rest.dropFirst() }
        guard digits() > 0 else { return false }
        if rest.first == "." {
            rest = rest.dropFirst()
            guard digits() > 0 else { return false }
        }
        if rest.first == "e" {
            rest = rest.dropFirst()
            if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return rest.isEmpty
    }

    @Test func valuesRoundTripExactly() {
        var generator = SplitMix64(seed: 0x5EED)
        var values: [Double] = Self.cases.map(\.0).filter(\.isFinite)
        for _ in 0..<20_000 {
            values.append(Double(bitPattern: generator.next()))  // any bit pattern: all magnitudes
            values.append(Double(generator.next() % 2_000_000) / 1000 - 1000)  // typical fractions
            values.append(Double(Int64(bitPattern: generator.next()) >> Int64(generator.next() % 64)))  // integers
        }
        for value in values where !value.isNaN {
            let text = encodedValue(value)
            #expect(isPrometheusFloat(text), "\(value) was written as \(text)")
            #expect(Double(text) == value, "\(value) was written as \(text)")
            if value.isFinite, value.magnitude < 1e15, value.rounded(.towardZero) == value {
                #expect(!text.contains(".") && !text.contains("e"), "integral \(value) was written as \(text)")
            }
        }
    }
}
