/// Encodes metric families into the bytes of a scrape response.
///
/// The encoder writes straight into a `[UInt8]`: no per-sample strings, no Foundation formatting.
/// Names are written as given (they were checked when the ``MetricFamily`` and ``Label`` values
/// were made); label values and help texts are escaped for the chosen format.
public enum ExpositionEncoder {
    /// Encodes `families`, in the order given, in `format`.
    ///
    /// Each family with samples gets one `# HELP` line, one `# TYPE` line and one line per sample;
    /// a family without samples is left out entirely. OpenMetrics output ends with `# EOF`.
    public static func encode(_ families: [MetricFamily], format: ExpositionFormat) -> [UInt8] {
        var bytes: [UInt8] = []
        append(families, format: format, into: &bytes)
        return bytes
    }

    /// Appends the encoding of `families` in `format` to `bytes`; see ``encode(_:format:)``.
    public static func append(_ families: [MetricFamily], format: ExpositionFormat, into bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + estimatedSize(of: families))
        for family in families where !family.samples.isEmpty {
            appendFamily(family, format: format, into: &bytes)
        }
        if format == .openMetrics {
            bytes.append(contentsOf: "# EOF\n".utf8)
        }
    }

    private static func appendFamily(_ family: MetricFamily, format: ExpositionFormat, into bytes: inout [UInt8]) {
        let openMetrics = format == .openMetrics
        // OpenMetrics names a counter family without the `_total` its samples carry.
        let familyName = openMetrics && family.type == .counter
            ? family.name.utf8.dropLast(MetricFamily.counterSuffix.utf8.count)
            : family.name.utf8[...]

        bytes.append(contentsOf: "# HELP ".utf8)
        bytes.append(contentsOf: familyName)
        bytes.append(UInt8(ascii: " "))
        appendEscaped(family.help, escapingQuotes: openMetrics, into: &bytes)
        bytes.append(UInt8(ascii: "\n"))

        bytes.append(contentsOf: "# TYPE ".utf8)
        bytes.append(contentsOf: familyName)
        switch family.type {
        case .gauge: bytes.append(contentsOf: " gauge\n".utf8)
        case .counter: bytes.append(contentsOf: " counter\n".utf8)
        }

        for sample in family.samples {
            appendRaw(family.name, into: &bytes)
            if !sample.labels.isEmpty {
                bytes.append(UInt8(ascii: "{"))
                var first = true
                for label in sample.labels {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    appendRaw(label.name, into: &bytes)
                    bytes.append(UInt8(ascii: "="))
                    bytes.append(UInt8(ascii: "\""))
                    appendEscaped(label.value, escapingQuotes: true, into: &bytes)
                    bytes.append(UInt8(ascii: "\""))
                }
                bytes.append(UInt8(ascii: "}"))
            }
            bytes.append(UInt8(ascii: " "))
            appendValue(sample.value, into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
    }

    /// A close upper estimate of the encoded size when nothing needs escaping, so that `append`
    /// allocates once in the common case.
    static func estimatedSize(of families: [MetricFamily]) -> Int {
        var size = 8  // "# EOF\n"
        for family in families where !family.samples.isEmpty {
            let name = family.name.utf8.count
            size += 2 * name + family.help.utf8.count + 32
            for sample in family.samples {
                size += name + 28  // braces, space, the longest value (24 bytes), newline
                for label in sample.labels {
                    size += label.name.utf8.count + label.value.utf8.count + 4
                }
            }
        }
        return size
    }
}
