import YAML

/// A 1-based line and column (counted in Unicode scalars, as libyaml counts them).
struct SourcePosition: Hashable {
    let line: Int
    let column: Int

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    init(_ mark: Mark) {
        self.init(line: mark.line, column: mark.column)
    }
}
