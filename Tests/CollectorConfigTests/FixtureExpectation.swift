/// The error an invalid fixture must produce, written on its first line as
/// `# expect: LINE:COLUMN: text the message contains`.
struct FixtureExpectation: Equatable {
    var line: Int
    var column: Int
    var messageExcerpt: String

    /// The expectation on the first line of `text`, or nil when the line does not hold one.
    init?(firstLineOf text: String) {
        let prefix = "# expect: "
        guard let firstLine = text.split(separator: "\n", omittingEmptySubsequences: false).first,
            firstLine.hasPrefix(prefix)
        else { return nil }
        let parts = firstLine.dropFirst(prefix.count).split(separator: ":", maxSplits: 2)
        guard parts.count == 3, let line = Int(parts[0]), let column = Int(parts[1]), parts[2].hasPrefix(" ") else {
            return nil
        }
        self.line = line
        self.column = column
        self.messageExcerpt = String(parts[2].dropFirst())
    }
}
