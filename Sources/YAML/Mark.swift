/// A position in a YAML text: 1-based line and column, the column counted in Unicode scalars (as libyaml
/// counts it).
public struct Mark: Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

extension Mark {
    /// The position of the character that starts at `byteOffset` in the UTF-8 of `text`, with YAML 1.1's line
    /// breaks (`\n`, `\r`, `\r\n`, NEL, LS, PS), as libyaml counts them.
    init(byteOffset: Int, in text: String) {
        var line = 1
        var column = 1
        var previous: Unicode.Scalar?
        for scalar in String(decoding: text.utf8.prefix(byteOffset), as: UTF8.self).unicodeScalars {
            defer { previous = scalar }
            if scalar == "\n", previous == "\r" { continue }
            if Self.isLineBreak(scalar) {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.init(line: line, column: column)
    }

    /// The line breaks of YAML 1.1, which libyaml follows (`\r\n` is one break: its `\r` ends the line).
    package static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\n" || scalar == "\r" || scalar == "\u{85}" || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}
