extension Node.Scalar {
    /// The value of an integer scalar (binary, octal, decimal, hexadecimal or base 60, `_` ignored), nil
    /// for other scalars and for integers beyond `Int`.
    public var int: Int? {
        guard tag == .int else { return nil }
        var text = Substring(string.filter { $0 != "_" })
        var negative = false
        if let sign = text.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            text = text.dropFirst()
        }
        let magnitude: Int?
        if text.hasPrefix("0b") {
            magnitude = Int(text.dropFirst(2), radix: 2)
        } else if text.hasPrefix("0x") {
            magnitude = Int(text.dropFirst(2), radix: 16)
        } else if text.hasPrefix("0o") {
            magnitude = Int(text.dropFirst(2), radix: 8)
        } else if text.hasPrefix("0"), text.count > 1 {
            magnitude = Int(text.dropFirst(), radix: 8)
        } else if text.contains(":") {
            magnitude = text.split(separator: ":").reduce(Int?(0)) { total, group in
                guard let total, let digit = Int(group) else { return nil }
                let (shifted, overflow) = total.multipliedReportingOverflow(by: 60)
                guard !overflow else { return nil }
                let (sum, overflowAgain) = shifted.addingReportingOverflow(digit)
                return overflowAgain ? nil : sum
            }
        } else {
            magnitude = Int(text)
        }
        guard let magnitude else { return nil }
        return negative ? -magnitude : magnitude
    }
}
