/// One node of a composed YAML document. Aliases are resolved: an alias is the node its anchor names.
public enum Node: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// A scalar: its text, its resolved tag, and where it starts.
    public struct Scalar: Sendable {
        public let string: String
        public let tag: Tag
        public let mark: Mark
    }

    /// A mapping: its entries in the order of the text (keys are unique), and where it starts.
    public struct Mapping: Sendable, RandomAccessCollection {
        public typealias Entry = (key: Node, value: Node)
        public let entries: [Entry]
        public let mark: Mark

        public var startIndex: Int { entries.startIndex }
        public var endIndex: Int { entries.endIndex }
        public subscript(position: Int) -> Entry { entries[position] }

        /// The keys, in the order of the text.
        public var keys: [Node] { entries.map(\.key) }
    }

    /// A sequence: its items in order, and where it starts.
    public struct Sequence: Sendable, RandomAccessCollection {
        public let items: [Node]
        public let mark: Mark

        public var startIndex: Int { items.startIndex }
        public var endIndex: Int { items.endIndex }
        public subscript(position: Int) -> Node { items[position] }
    }

    /// Where the node starts.
    public var mark: Mark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .mapping(let mapping): mapping.mark
        case .sequence(let sequence): sequence.mark
        }
    }

    /// The scalar, if this node is one.
    public var scalar: Scalar? {
        guard case .scalar(let scalar) = self else { return nil }
        return scalar
    }

    /// Whether this is a scalar that YAML reads as null (`~`, `null`, or nothing at all).
    public var isNull: Bool { scalar?.tag == .null }
}
