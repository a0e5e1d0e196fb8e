extension Node.Scalar {
    /// The value of an integer scalar (binary, octal, decimal, hexadecimal or base 60, `_` ignored), nil for other
    /// scalars, for text an explicit `!!int` tag gives that is no integer, and for integers beyond `Int`.
    public var int: Int? {
        guard tag == .int, Node.Tag.isInteger(Array(string.unicodeScalars)) else { return nil }
        var digits = Substring(string.filter { $0 != "_" })
        var sign = ""
        if let first = digits.first, first == "-" || first == "+" {
            if first == "-" { sign = "-" }
            digits = digits.dropFirst()
        }
        if digits.hasPrefix("0b") { return Int(sign + digits.dropFirst(2), radix: 2) }
        if digits.hasPrefix("0x") { return Int(sign + digits.dropFirst(2), radix: 16) }
        if digits.hasPrefix("0o") { return Int(sign + digits.dropFirst(2), radix: 8) }
        if digits.hasPrefix("0"), digits.count > 1 { return Int(sign + digits.dropFirst(), radix: 8) }
        guard digits.contains(":") else { return Int(sign + digits) }
        // Base 60: 1:30 is 90.
        var magnitude = 0
        for group in digits.split(separator: ":") {
            guard let digit = Int(group) else { return nil }
            let (shifted, overflow) = magnitude.multipliedReportingOverflow(by: 60)
            let (sum, overflowAgain) = shifted.addingReportingOverflow(digit)
            guard !overflow, !overflowAgain else { return nil }
            magnitude = sum
        }
        return sign == "-" ? -magnitude : magnitude
    }
}
