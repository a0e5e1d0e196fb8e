import CollectorConfig
import Foundation
import Testing

@Suite("Invalid collectors files")
struct InvalidFixtureTests {
    @Test("the corpus holds at least 25 fixtures, each with an expectation")
    func corpus() throws {
        let names = Fixtures.invalidFileNames()
        #expect(names.count >= 25)
        for name in names {
            let text = try String(contentsOfFile: Fixtures.path("invalid/\(name)"), encoding: .utf8)
            #expect(FixtureExpectation(firstLineOf: text) != nil, "\(name) has no '# expect: L:C: text' first line")
        }
    }

    @Test("an invalid file is rejected with one error at the expected line and column",
          arguments: Fixtures.invalidFileNames())
    func rejected(fixture: String) throws {
        let path = Fixtures.path("invalid/\(fixture)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = try #require(FixtureExpectation(firstLineOf: text))

        let error = #expect(throws: ConfigError.self) { try CollectorsFileLoader.load(path: path) }

        let thrown = try #require(error)
        #expect(thrown.file == path)
        #expect("\(thrown.line):\(thrown.column)" == "\(expected.line):\(expected.column)", "\(thrown)")
        #expect(thrown.message.contains(expected.messageExcerpt), "\(thrown)")
        #expect(thrown.description == "\(path):\(thrown.line):\(thrown.column): \(thrown.message)")
        #expect(!thrown.description.contains("\n"), "the error must fit on one line")
    }
}
