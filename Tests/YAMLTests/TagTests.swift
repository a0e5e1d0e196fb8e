import Testing
import YAML

/// Plain scalars get YAML 1.1's types, as go-yaml v2 (Prometheus' own files) and Yams read them.
struct TagTests {
    static func tag(of yaml: String) throws -> Node.Tag? {
        try YAMLComposer.compose("v: \(yaml)\n").flatMap { root -> Node.Tag? in
            guard case .mapping(let mapping) = root else { return nil }
            return mapping.first?.value.scalar?.tag
        }
    }

    @Test("plain scalars resolve to null, bool, int, float or string", arguments: [
        ("", Node.Tag.null), ("~", .null), ("null", .null), ("NULL", .null), ("Null", .null), ("nULL", .string),
        ("yes", .bool), ("No", .bool), ("TRUE", .bool), ("off", .bool), ("On", .bool), ("y", .string), ("tRue", .string),
        ("0", .int), ("-17", .int), ("+3", .int), ("1_000", .int), ("010", .int), ("0o17", .int), ("0x1F", .int),
        ("0b101", .int), ("190:20:30", .int), ("0b", .string), ("0x", .string), ("0:30", .string),
        ("09", .float), ("1.5", .float), ("-1.5e3", .float), ("1e5", .float), (".5", .float), ("1.", .float),
        (".inf", .float), ("-.Inf", .float), (".NaN", .float), ("1:30.5", .float), ("-.5", .string),
        ("1.2.3", .string), ("30s", .string), ("2026-12-01", .string), ("<<", .string), ("e5", .string),
    ])
    func plain(yaml: String, expected: Node.Tag) throws {
        #expect(try Self.tag(of: yaml) == expected, "\(yaml)")
    }

    @Test("quoted scalars are strings; explicit tags win", arguments: [
        ("'5'", Node.Tag.string), ("\"yes\"", .string), ("''", .string), ("!!int '5'", .int), ("!!str 5", .string),
        ("!!null ''", .null), ("!!float 1", .float), ("!custom 5", .string),
    ])
    func quotedAndTagged(yaml: String, expected: Node.Tag) throws {
        #expect(try Self.tag(of: yaml) == expected, "\(yaml)")
    }

    @Test("integers read in every base; text beyond Int is no Int", arguments: [
        ("42", 42), ("-42", -42), ("1_000_000", 1_000_000), ("0x_ff", 255), ("010", 8), ("0o10", 8), ("0b1010", 10),
        ("1:30", 90), ("-1:00:00", -3600), ("0", 0), ("-0", 0), ("-9223372036854775808", Int.min),
        ("-0x8000000000000000", Int.min), ("9223372036854775807", Int.max), ("!!int '5'", 5),
    ])
    func integers(yaml: String, value: Int) throws {
        let root = try #require(try YAMLComposer.compose("v: \(yaml)\n"))
        guard case .mapping(let mapping) = root else { Issue.record("not a mapping"); return }
        #expect(mapping.first?.value.scalar?.int == value, "\(yaml)")
    }

    @Test("an integer too large for Int has no value, and strings have none")
    func noInteger() throws {
        for yaml in ["99999999999999999999", "9223372036854775808", "'5'", "five", "!!int -0x-5", "!!int 1:-5", "!!int five"] {
            let root = try #require(try YAMLComposer.compose("v: \(yaml)\n"))
            guard case .mapping(let mapping) = root else { Issue.record("not a mapping"); return }
            #expect(mapping.first?.value.scalar?.int == nil, "\(yaml)")
        }
    }
}
