/// Why a YAML text could not be composed into one document, with the positions libyaml reports.
public enum YAMLError: Error, Sendable, Equatable {
    /// The text holds a character YAML does not allow (a control character), at `mark`.
    case reader(problem: String, mark: Mark)
    /// The scanner or parser failed at `mark`; `context` is the construct it was reading, and where it
    /// started, when libyaml names one.
    case syntax(problem: String, mark: Mark, context: Context?)
    /// An alias names an anchor defined nowhere before it.
    case undefinedAlias(anchor: String, mark: Mark)
    /// A second document starts at `mark`: the text must hold one.
    case secondDocument(mark: Mark)
    /// A key appears twice in one mapping: first at `first`, again at `second`.
    case duplicateKey(key: String, first: Mark, second: Mark)
    /// libyaml could not allocate memory.
    case outOfMemory

    /// The construct being read when a syntax error was found.
    public struct Context: Sendable, Equatable {
        public let text: String
        public let mark: Mark
    }
}

extension YAMLError: CustomStringConvertible {
    /// Where the problem is, when libyaml says.
    public var mark: Mark? {
        switch self {
        case .syntax(_, let mark, _), .undefinedAlias(_, let mark), .secondDocument(let mark), .reader(_, let mark): mark
        case .duplicateKey(_, _, let second): second
        case .outOfMemory: nil
        }
    }

    /// The problem on one line, without its position.
    public var message: String {
        switch self {
        case .reader(let problem, _): problem
        case .syntax(let problem, _, let context):
            if let context { "\(problem) (\(context.text) at \(context.mark))" } else { problem }
        case .undefinedAlias(let anchor, _): "found undefined alias \"\(anchor)\""
        case .secondDocument: "a second YAML document starts here; only one is allowed"
        case .duplicateKey(let key, let first, _): "duplicate key \"\(key)\" (first at \(first))"
        case .outOfMemory: "libyaml ran out of memory"
        }
    }

    /// The error on one line, with its position.
    public var description: String { mark.map { "\($0): \(message)" } ?? message }
}
