import Testing
import YAML

struct YAMLComposerTests {
    @Test("a document becomes nodes in text order, each with its 1-based line and column")
    func tree() throws {
        let root = try #require(try YAMLComposer.compose("a: 1\nlist:\n  - x\n  - {k: 'v'}\n"))
        guard case .mapping(let top) = root else { Issue.record("root is \(root)"); return }
        #expect(top.keys.compactMap { $0.scalar?.string } == ["a", "list"])
        #expect(top.mark == Mark(line: 1, column: 1))
        guard case .sequence(let list) = top[1].value else { Issue.record("list is \(top[1].value)"); return }
        #expect(list.count == 2)
        #expect(list[0].scalar?.string == "x")
        #expect(list[0].mark == Mark(line: 3, column: 5))
        guard case .mapping(let inner) = list[1] else { Issue.record("item is \(list[1])"); return }
        #expect(inner[0].value.scalar?.string == "v")
        #expect(inner[0].value.mark == Mark(line: 4, column: 9))
    }

    @Test("columns count Unicode scalars, not bytes")
    func unicodeColumns() throws {
        let root = try #require(try YAMLComposer.compose("ключ: значение\n"))
        guard case .mapping(let top) = root else { Issue.record("root is \(root)"); return }
        #expect(top[0].value.mark == Mark(line: 1, column: 7))
    }

    @Test("no document is nil", arguments: ["", "\n", "# only a comment\n"])
    func empty(yaml: String) throws {
        #expect(try YAMLComposer.compose(yaml) == nil)
    }

    @Test("an alias is the node its anchor names")
    func alias() throws {
        let root = try #require(try YAMLComposer.compose("a: &x {k: v}\nb: *x\n"))
        guard case .mapping(let top) = root, case .mapping(let b) = top[1].value else {
            Issue.record("unexpected tree \(root)"); return
        }
        #expect(b[0].key.scalar?.string == "k")
    }

    @Test("a repeated key is reported at both occurrences, the first repetition in the text first")
    func duplicateKey() {
        #expect(throws: YAMLError.duplicateKey(key: "b", first: Mark(line: 2, column: 3), second: Mark(line: 3, column: 3))) {
            try YAMLComposer.compose("a:\n  b: 1\n  b: 2\nc: 1\nc: 2\n")
        }
        // The outer repetition comes first in the text, the inner mapping closes first: the text's order wins.
        #expect(throws: YAMLError.duplicateKey(key: "a", first: Mark(line: 1, column: 1), second: Mark(line: 2, column: 1))) {
            try YAMLComposer.compose("a: 1\na: {b: 1, b: 2}\n")
        }
        // A key written as an alias is reported where the alias is, not where its anchor is.
        #expect(throws: YAMLError.duplicateKey(key: "x", first: Mark(line: 2, column: 5), second: Mark(line: 2, column: 11))) {
            try YAMLComposer.compose("a: &k x\nm: {x: 1, *k : 2}\n")
        }
        // A number and a quoted string with the same text are different keys.
        #expect(throws: Never.self) { try YAMLComposer.compose("1: a\n'1': b\n") }
    }

    @Test("an undefined alias, a second document and a syntax error are errors with positions")
    func errors() {
        #expect(throws: YAMLError.undefinedAlias(anchor: "y", mark: Mark(line: 2, column: 4))) {
            try YAMLComposer.compose("a: &x 1\nb: *y\n")
        }
        #expect(throws: YAMLError.secondDocument(mark: Mark(line: 2, column: 1))) {
            try YAMLComposer.compose("a: 1\n---\nb: 2\n")
        }
        do {
            _ = try YAMLComposer.compose("a: [1, 2\n")
            Issue.record("an unclosed flow sequence was accepted")
        } catch {
            guard case .syntax(let problem, _, let context) = error else { Issue.record("\(error)"); return }
            #expect(problem == "did not find expected ',' or ']'")
            #expect(context?.mark == Mark(line: 1, column: 4))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("a control character is a reader error at its line and column", arguments: [
        ("x: é\u{7}\n", Mark(line: 1, column: 5)),
        ("a: 1\r\nx: \u{7}\n", Mark(line: 2, column: 4)),
        ("a: 1\rb: 2\u{2028}x: \u{7}\n", Mark(line: 3, column: 4)),
    ])
    func controlCharacter(yaml: String, mark: Mark) {
        #expect(throws: YAMLError.reader(problem: "control characters are not allowed", mark: mark)) {
            try YAMLComposer.compose(yaml)
        }
    }

    @Test("nesting past 256 levels is an error at the level too deep, not a crash")
    func deepNesting() throws {
        let deepest = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try YAMLComposer.compose(deepest) != nil)
        #expect(throws: YAMLError.syntax(problem: "nesting deeper than 256 levels", mark: Mark(line: 1, column: 257), context: nil)) {
            try YAMLComposer.compose(String(repeating: "[", count: 100_000))
        }
    }
}
