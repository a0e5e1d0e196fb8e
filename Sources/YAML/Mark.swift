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
