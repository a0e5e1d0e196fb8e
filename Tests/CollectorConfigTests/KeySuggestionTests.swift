@testable import CollectorConfig
import Testing

@Suite("Suggestions for misspelt keys")
struct KeySuggestionTests {
    static let collectorKeys = ["name", "description", "interval", "timeout", "parameters", "sql", "metrics"]

    @Test("close misspellings get a suggestion", arguments: [
        ("intervall", "interval"),
        ("Interval", "interval"),
        ("timout", "timeout"),
        ("mtrics", "metrics"),
        ("sq", "sql"),
        ("descripton", "description"),
        ("paramters", "parameters"),
        ("nmae", "name"),
    ])
    func suggests(word: String, expected: String) {
        #expect(KeySuggestion.closest(to: word, among: Self.collectorKeys) == expected)
    }

    @Test("unrelated words get none", arguments: ["query", "labels", "x", "help"])
    func noSuggestion(word: String) {
        #expect(KeySuggestion.closest(to: word, among: Self.collectorKeys) == nil)
    }

    @Test("the edit distance counts a swap of neighbours as one edit")
    func distance() {
        #expect(KeySuggestion.editDistance("lables", "labels") == 1)
        #expect(KeySuggestion.editDistance("", "abc") == 3)
        #expect(KeySuggestion.editDistance("kitten", "sitting") == 3)
    }
}
