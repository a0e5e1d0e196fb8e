import Foundation

/// The fixture files of these tests, in `Fixtures/` next to this source file.
enum Fixtures {
    /// The `Fixtures` directory.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The path of the fixture at `relativePath` (e.g. `valid/example.yml`).
    static func path(_ relativePath: String) -> String {
        directory.appendingPathComponent(relativePath).path
    }

    /// The names of the files in `invalid/`, sorted.
    static func invalidFileNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path("invalid"))) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }
}
