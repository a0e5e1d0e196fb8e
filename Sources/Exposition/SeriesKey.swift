/// The identity of a series as Prometheus sees it, for telling duplicates apart: a label with an empty value is no
/// label at all (`m{a=""}` is `m`), label order does not matter, and values compare byte for byte. Swift's `String`
/// equality would make canonically equivalent spellings (`é` and `e` + U+0301) one series, where PostgreSQL and
/// Prometheus keep two.
public struct SeriesKey: Sendable, Hashable {
    private let labels: [[UInt8]]

    public init(_ labels: [Label]) {
        // A name is ASCII without NUL, so `name NUL value` sorts by name first, and two labels never share a name.
        var encoded: [[UInt8]] = []
        encoded.reserveCapacity(labels.count)
        for label in labels where !label.value.isEmpty {
            encoded.append(Array(label.name.utf8) + [0] + Array(label.value.utf8))
        }
        encoded.sort { $0.lexicographicallyPrecedes($1) }
        self.labels = encoded
    }
}

extension Sample {
    /// This sample's series identity (``SeriesKey``).
    public var seriesKey: SeriesKey { SeriesKey(labels) }
}
