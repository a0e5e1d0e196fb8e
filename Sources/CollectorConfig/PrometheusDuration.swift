/// Durations written the Prometheus way: one or more `<integer><unit>` terms with the units
/// `y`, `w`, `d`, `h`, `m`, `s`, `ms` in decreasing order, each at most once (`1h30m`, `500ms`, `30s`).
///
/// A day is 24 hours, a week 7 days and a year 365 days, as Prometheus counts them. A bare number has no unit and is rejected.
public enum PrometheusDuration {
    /// The units in decreasing order, with their length in milliseconds.
    static let units: [(symbol: String, milliseconds: Int64)] = [
        ("y", 365 * 24 * 3_600_000),
        ("w", 7 * 24 * 3_600_000),
        ("d", 24 * 3_600_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ]

    /// Parses `text` (`1h30m`, `500ms`, `0s`).
    ///
    /// - Throws: ``ParseError`` when `text` is empty, negative, has a term without a unit, an unknown
    ///   unit, units out of order or repeated, a fraction, or does not fit in 64-bit milliseconds.
    public static func parse(_ text: String) throws(ParseError) -> Duration {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { throw ParseError(text: text, reason: "empty value") }
        if scalars[0] == "-" {
            throw ParseError(text: text, reason: "negative durations are not allowed")
        }
        var total: Int64 = 0
        var index = 0
        var previousUnit: Int?
        while index < scalars.count {
            let digitsStart = index
            while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
            guard index > digitsStart else {
                throw ParseError(
                    text: text, reason: "expected a number at \"\(String(String.UnicodeScalarView(scalars[index...])))\"")
            }
            let digits = String(String.UnicodeScalarView(scalars[digitsStart..<index]))
            let unitStart = index
            while index < scalars.count, ("a"..."z").contains(scalars[index]) || ("A"..."Z").contains(scalars[index]) {
                index += 1
            }
            let unit = String(String.UnicodeScalarView(scalars[unitStart..<index]))
            if unit.isEmpty {
                if index < scalars.count {
                    throw ParseError(
                        text: text,
                        reason: "unexpected \"\(scalars[index])\" (write whole numbers with units, e.g. \"1m30s\" or \"1s500ms\")")
                }
                throw ParseError(text: text, reason: "missing unit (one of ms, s, m, h, d, w, y, e.g. \"\(digits)s\")")
            }
            guard let unitIndex = units.firstIndex(where: { $0.symbol == unit }) else {
                throw ParseError(text: text, reason: "unknown unit \"\(unit)\" (one of ms, s, m, h, d, w, y)")
            }
            if let previousUnit, unitIndex <= previousUnit {
                throw ParseError(text: text, reason: "units must appear at most once, in decreasing order (y, w, d, h, m, s, ms)")
            }
            previousUnit = unitIndex
            guard let number = Int64(digits) else { throw ParseError(text: text, reason: "too long") }
            let (product, productOverflow) = number.multipliedReportingOverflow(by: units[unitIndex].milliseconds)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !productOverflow, !sumOverflow else { throw ParseError(text: text, reason: "too long") }
            total = sum
        }
        return .milliseconds(total)
    }

    /// Renders `duration` the way ``parse(_:)`` reads it, with the largest units first (`90s` is `1m30s`,
    /// zero is `0s`). Sub-millisecond parts are dropped.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var remaining = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        guard remaining != 0 else { return "0s" }
        var text = remaining < 0 ? "-" : ""
        remaining = remaining == .min ? .max : abs(remaining)
        for unit in units where remaining >= unit.milliseconds {
            text += "\(remaining / unit.milliseconds)\(unit.symbol)"
            remaining %= unit.milliseconds
        }
        return text
    }
}
