import CollectorConfig
import Foundation
import Testing

@Suite("Loading and error reporting")
struct CollectorsFileLoaderTests {
    /// The error parsing `yaml` throws.
    static func error(parsing yaml: String) throws -> ConfigError {
        let error = #expect(throws: ConfigError.self) { try CollectorsFileLoader.parse(yaml: yaml, path: "c.yml") }
        return try #require(error)
    }

    @Test("a missing file is reported without a position")
    func missingFile() throws {
        let path = "/nonexistent-\(UUID().uuidString)/collectors.yml"
        let error = #expect(throws: ConfigError.self) { try CollectorsFileLoader.load(path: path) }
        let thrown = try #require(error)
        #expect(thrown.line == 0)
        #expect(thrown.column == 0)
        #expect(thrown.description == "\(path): cannot read: No such file or directory")
    }

    @Test("a directory cannot be read")
    func directory() throws {
        let path = FileManager.default.temporaryDirectory.path
        let error = #expect(throws: ConfigError.self) { try CollectorsFileLoader.load(path: path) }
        #expect(error?.description == "\(path): cannot read: Is a directory")
    }

    @Test("a file that is not UTF-8 cannot be read")
    func notUTF8() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("collectors-\(UUID().uuidString).yml").path
        try Data([0x63, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ConfigError.self) { try CollectorsFileLoader.load(path: path) }
        #expect(error?.description == "\(path): cannot read: the file is not valid UTF-8 text")
    }

    @Test("load and parse agree")
    func loadMatchesParse() throws {
        let path = Fixtures.path("valid/example.yml")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try CollectorsFileLoader.load(path: path) == CollectorsFileLoader.parse(yaml: text, path: path))
    }

    @Test("an empty text is an empty file", arguments: ["", "\n\n", "---\n", "# nothing\n"])
    func emptyText(yaml: String) throws {
        let error = try Self.error(parsing: yaml)
        #expect(error.message.hasPrefix("the file is empty"))
        #expect(error.line >= 1 && error.column == 1)
    }

    @Test("ConfigError renders as FILE:LINE:COLUMN: message, or FILE: message without a position")
    func description() {
        #expect(ConfigError(file: "a.yml", line: 3, column: 7, message: "bad").description == "a.yml:3:7: bad")
        #expect(ConfigError(file: "a.yml", line: 0, column: 0, message: "cannot read: x").description == "a.yml: cannot read: x")
    }

    @Test("a key repeated three times is reported at its second occurrence")
    func tripleKey() throws {
        let error = try Self.error(parsing: "global: {}\nglobal: {}\nglobal: {}\n")
        #expect(error.description == "c.yml:2:1: duplicate key \"global\" (first at line 1, column 1)")
    }

    @Test("a repeated quoted key is reported at its second occurrence")
    func quotedKey() throws {
        let error = try Self.error(parsing: "collectors: []\n'global': {}\n\"global\": {}\n")
        #expect(error.description == "c.yml:3:1: duplicate key \"global\" (first at line 2, column 1)")
    }

    @Test("with repeated keys in two mappings, the first repetition in the text is reported")
    func twoMappingsWithRepeatedKeys() throws {
        // The inner mapping closes first, but the outer repetition comes first in the text.
        let yaml = """
            collectors: []
            global: {interval: 1s}
            global:
              interval: 1s
              interval: 2s
            """
        let error = try Self.error(parsing: yaml)
        #expect(error.line == 3 && error.column == 1, "\(error)")
        #expect(error.message == "duplicate key \"global\" (first at line 2, column 1)")
    }

    @Test("syntax errors name a position and fit on one line", arguments: [
        ("a: [1, 2\n", 1, 4),
        ("a: b: c\n", 1, 5),
        ("a: &x 1\nb: *y\n", 2, 4),
        ("c: 'x\n", 1, 4),
    ])
    func syntaxErrors(yaml: String, line: Int, column: Int) throws {
        let error = try Self.error(parsing: yaml)
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.message.hasPrefix("YAML syntax error: "), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test("control characters are reported at their position")
    func controlCharacter() throws {
        let error = try Self.error(parsing: "collectors: []\nx: a\u{7}b\n")
        #expect(error.line == 2 && error.column == 5, "\(error)")
        #expect(error.message.hasPrefix("invalid YAML input: "))
    }
}
