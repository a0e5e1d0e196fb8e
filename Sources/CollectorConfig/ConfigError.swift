/// A problem with the collectors file, located at the line and column that caused it.
///
/// Rendered as one line, `FILE:LINE:COLUMN: message`, the format compilers use and editors jump to.
/// An error that concerns the whole file (it cannot be read) has `line` and `column` 0 and renders as
/// `FILE: message`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path of the collectors file, as given to the loader.
    public var file: String
    /// The 1-based line of the offending key or value; 0 when the error concerns the whole file.
    public var line: Int
    /// The 1-based column (counted in Unicode scalars) of the offending key or value; 0 when the error
    /// concerns the whole file.
    public var column: Int
    /// What is wrong, and where it helps, how to fix it.
    public var message: String

    /// Creates an error at `line`:`column` of `file`.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE:COLUMN: message`, or `FILE: message` when the error has no position.
    public var description: String {
        guard line > 0 else { return "\(file): \(message)" }
        return "\(file):\(line):\(column): \(message)"
    }
}
