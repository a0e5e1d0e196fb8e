import FoundationEssentials

extension StandardStream {
    /// Writes `value` as the reports' JSON (indented, keys sorted, slashes unescaped) and a newline.
    func writeJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        write(bytes: Array(try encoder.encode(value)) + Array("\n".utf8))
    }
}
