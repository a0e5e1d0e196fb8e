import YAML

/// The text of a YAML file seen as libyaml sees it: lines, and columns counted in Unicode scalars.
struct SourceText {
    /// The Unicode scalars of the text.
    let scalars: [Unicode.Scalar]
    /// The index in `scalars` where each line starts; line `n` (1-based) starts at `lineStarts[n - 1]`.
    let lineStarts: [Int]

    init(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        var lineStarts = [0]
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\r", index < scalars.count, scalars[index] == "\n" { index += 1 }
            if Mark.isLineBreak(scalar) { lineStarts.append(index) }
        }
        self.scalars = scalars
        self.lineStarts = lineStarts
    }

    /// The index in `scalars` of the 1-based `line` and `column`, if it lies inside the text.
    func scalarIndex(line: Int, column: Int) -> Int? {
        guard line >= 1, line <= lineStarts.count, column >= 1 else { return nil }
        let index = lineStarts[line - 1] + column - 1
        guard index < scalars.count else { return nil }
        return index
    }

    /// Whether `mark` is at or past the last character: where libyaml reports "end of stream" problems.
    func isAtEnd(_ mark: Mark) -> Bool {
        guard let index = scalarIndex(line: mark.line, column: mark.column) else { return true }
        return scalars[index...].allSatisfy { $0 == " " || Mark.isLineBreak($0) }
    }

    /// The scalar at `mark`, if any.
    func scalar(at mark: Mark) -> Unicode.Scalar? {
        scalarIndex(line: mark.line, column: mark.column).map { scalars[$0] }
    }
}
