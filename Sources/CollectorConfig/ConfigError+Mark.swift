import YAML

extension ConfigError {
    /// An error at the position of a YAML node (1:1 when the node has no position).
    init(file: String, at mark: Mark?, _ message: String) {
        self.init(file: file, at: mark.map(SourcePosition.init), message)
    }

    /// An error at `position` (1:1 when there is none).
    init(file: String, at position: SourcePosition?, _ message: String) {
        self.init(file: file, line: position?.line ?? 1, column: position?.column ?? 1, message: message)
    }
}
