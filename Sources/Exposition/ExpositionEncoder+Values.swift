extension ExpositionEncoder {
    /// Integral values below this magnitude are written as integers, without a fractional part.
    static let integralLimit = 1e15

    /// Appends a sample value: `NaN`, `+Inf`, `-Inf`, an integer for integral values with a
    /// magnitude below 10¹⁵, otherwise the shortest decimal that reads back as the same `Double`
    /// (for example `0.1`, `1e-07`, `1.5e+20`), which both Go's `strconv.ParseFloat` (Prometheus'
    /// text and OpenMetrics parsers) and the OpenMetrics grammar accept. `-0.0` is written as `0`.
    static func appendValue(_ value: Double, into bytes: inout [UInt8]) {
        if value.isNaN {
            bytes.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            bytes.append(contentsOf: value < 0 ? "-Inf".utf8 : "+Inf".utf8)
        } else if value.magnitude < integralLimit && value.rounded(.towardZero) == value {
            appendInteger(Int64(value), into: &bytes)
        } else {
            // Swift's shortest round-trip representation; at most 24 ASCII bytes.
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// Appends the decimal digits of `value`, with a leading `-` when it is negative.
    static func appendInteger(_ value: Int64, into bytes: inout [UInt8]) {
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        if magnitude < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude))
            return
        }
        var digits = 0
        var rest = magnitude
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        bytes.withUnsafeMutableBufferPointer { buffer in
            var index = start + digits - 1
            while magnitude > 0 {
                buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                index -= 1
            }
        }
    }
}
