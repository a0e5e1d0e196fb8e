internal import CLibYAML

/// Composes a YAML text into a tree of ``Node``s with libyaml's event parser.
public enum YAMLComposer {
    /// The single document of `text`, or nil when the text holds none (empty, or only comments).
    ///
    /// Aliases are replaced by the nodes they name; a key repeated in one mapping, an undefined alias and a
    /// second document are errors.
    public static func compose(_ text: String) throws(YAMLError) -> Node? {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer throws(YAMLError) -> Node? in
            let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
            defer { parser.deallocate() }
            guard yaml_parser_initialize(parser) == 1 else { throw .outOfMemory }
            defer { yaml_parser_delete(parser) }
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var events = EventReader(parser: parser, text: text)
            return try events.document()
        }
    }
}

/// Reads libyaml's events one at a time and builds nodes from them.
private struct EventReader {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    /// The text being read: reader errors come as a byte offset into it.
    let text: String
    var anchors: [String: Node] = [:]
    /// How many collections enclose the node being read.
    var depth = 0

    /// The deepest nesting read: composing recurses once per level, and a file of ten thousand `[` must be an error,
    /// not a stack overflow.
    static let maximumDepth = 256

    init(parser: UnsafeMutablePointer<yaml_parser_t>, text: String) {
        self.parser = parser
        self.text = text
    }

    /// The stream's only document, or nil for an empty stream.
    mutating func document() throws(YAMLError) -> Node? {
        _ = try next()  // STREAM-START
        let start = try next()
        guard start.kind == .documentStart else { return nil }
        let root = try node(from: try next())
        _ = try next()  // DOCUMENT-END
        let after = try next()
        if after.kind == .documentStart { throw .secondDocument(mark: after.mark) }
        return root
    }

    mutating func node(from event: Event) throws(YAMLError) -> Node {
        switch event.kind {
        case .alias:
            guard let node = anchors[event.anchor ?? ""] else {
                throw .undefinedAlias(anchor: event.anchor ?? "", mark: event.mark)
            }
            return node
        case .scalar:
            let scalar = Node.Scalar(
                string: event.value, tag: Node.Tag.of(text: event.value, explicit: event.tag, plain: event.isPlain),
                mark: event.mark)
            return remember(.scalar(scalar), as: event.anchor)
        case .sequenceStart:
            try enter(at: event.mark)
            defer { depth -= 1 }
            var items: [Node] = []
            while true {
                let item = try next()
                if item.kind == .sequenceEnd { break }
                items.append(try node(from: item))
            }
            return remember(.sequence(Node.Sequence(items: items, mark: event.mark)), as: event.anchor)
        case .mappingStart:
            try enter(at: event.mark)
            defer { depth -= 1 }
            var entries: [Node.Mapping.Entry] = []
            var firstMarks: [ScalarKey: Mark] = [:]
            while true {
                let keyEvent = try next()
                if keyEvent.kind == .mappingEnd { break }
                let key = try node(from: keyEvent)
                if case .scalar(let scalar) = key {
                    // Where the key is written: an alias's node carries its anchor's position.
                    let identity = ScalarKey(string: scalar.string, tag: scalar.tag)
                    if let first = firstMarks[identity] {
                        throw .duplicateKey(key: scalar.string, first: first, second: keyEvent.mark)
                    }
                    firstMarks[identity] = keyEvent.mark
                }
                let value = try node(from: try next())
                entries.append((key, value))
            }
            return remember(.mapping(Node.Mapping(entries: entries, mark: event.mark)), as: event.anchor)
        default:
            preconditionFailure("libyaml emitted \(event.kind) where a node starts")
        }
    }

    /// One level deeper, unless that is too deep.
    mutating func enter(at mark: Mark) throws(YAMLError) {
        guard depth < Self.maximumDepth else {
            throw .syntax(problem: "nesting deeper than \(Self.maximumDepth) levels", mark: mark, context: nil)
        }
        depth += 1
    }

    mutating func remember(_ node: Node, as anchor: String?) -> Node {
        if let anchor { anchors[anchor] = node }
        return node
    }

    /// The next event, copied out of libyaml's structure.
    func next() throws(YAMLError) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw error() }
        defer { yaml_event_delete(&event) }
        return Event(event)
    }

    /// The parser's error.
    func error() -> YAMLError {
        let problem = parser.pointee.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.pointee.error {
        case YAML_MEMORY_ERROR:
            return .outOfMemory
        case YAML_READER_ERROR:
            return .reader(problem: problem, mark: Mark(byteOffset: parser.pointee.problem_offset, in: text))
        default:
            let context = parser.pointee.context.map {
                YAMLError.Context(text: String(cString: $0), mark: Mark(parser.pointee.context_mark))
            }
            return .syntax(problem: problem, mark: Mark(parser.pointee.problem_mark), context: context)
        }
    }
}

/// How two scalar keys are told apart: `1` and `"1"` are different keys.
private struct ScalarKey: Hashable {
    let string: String
    let tag: Node.Tag
}

/// One libyaml event, as Swift values.
private struct Event {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd, alias, scalar
        case sequenceStart, sequenceEnd, mappingStart, mappingEnd, none
    }

    let kind: Kind
    let mark: Mark
    let anchor: String?
    let tag: String?
    let value: String
    let isPlain: Bool

    init(_ event: yaml_event_t) {
        mark = Mark(event.start_mark)
        var anchor: UnsafeMutablePointer<yaml_char_t>?
        var tag: UnsafeMutablePointer<yaml_char_t>?
        var value = ""
        var isPlain = false
        switch event.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_STREAM_END_EVENT: kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_ALIAS_EVENT:
            kind = .alias
            anchor = event.data.alias.anchor
        case YAML_SCALAR_EVENT:
            kind = .scalar
            let scalar = event.data.scalar
            anchor = scalar.anchor
            tag = scalar.tag
            value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart
            anchor = event.data.sequence_start.anchor
            tag = event.data.sequence_start.tag
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart
            anchor = event.data.mapping_start.anchor
            tag = event.data.mapping_start.tag
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        default: kind = .none
        }
        self.anchor = anchor.map { String(cString: $0) }
        self.tag = tag.map { String(cString: $0) }
        self.value = value
        self.isPlain = isPlain
    }
}

extension Mark {
    /// libyaml's 0-based mark as a 1-based position.
    fileprivate init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}
