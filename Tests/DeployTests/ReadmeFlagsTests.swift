import Testing
import TestSupport

/// The README's flags against the binary's: an operator reads the table, not `--help`, so a flag added, renamed or
/// removed on one side alone is a failure.
struct ReadmeFlagsTests {
    /// `--name` words of a text, less `--help`.
    private func flags(_ text: String) -> Set<String> {
        BinaryFlags.extractFlags(text).subtracting(["--help"])
    }

    @Test func theFlagsTableListsExactlyTheFlagsServeTakes() throws {
        let readme = try Repository.read("README.md")
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `--") }
        // Each row's first cell starts with its flag: "| `--web.listen-address HOST:PORT` | …".
        let table = Set(rows.map { row in String(row.dropFirst(3).prefix { $0 != "`" && $0 != " " }) })
        let serve = try BinaryFlags.of("serve").subtracting(["--help"])
        #expect(table.subtracting(serve).isEmpty, "the table lists flags serve does not take: \(table.subtracting(serve).sorted())")
        #expect(serve.subtracting(table).isEmpty, "serve takes flags the table does not list: \(serve.subtracting(table).sorted())")
    }

    /// Each other command's row names its own flags (the shared `--database.*`, `--log.*` and `--version` are in the
    /// table), and only flags it takes.
    @Test(arguments: ["validate", "check", "backfill"])
    func eachCommandsRowNamesTheFlagsItTakes(command: String) throws {
        let readme = try Repository.read("README.md")
        let row = try #require(readme.split(separator: "\n").first { $0.hasPrefix("| `chat-exporter \(command) ") }.map(String.init))
        let named = flags(row).filter { $0 != "--database" }  // "the `--database.*` flags"
        let taken = try BinaryFlags.of(command).subtracting(["--help"])
        let shared = taken.filter { $0.hasPrefix("--database.") || $0.hasPrefix("--log.") || $0 == "--version" }
        #expect(named.subtracting(taken).isEmpty, "the row names flags `\(command)` does not take: \(named.subtracting(taken).sorted())")
        #expect(taken.subtracting(shared).subtracting(named).isEmpty, "`\(command)` takes flags its row does not name: \(taken.subtracting(shared).subtracting(named).sorted())")
        let serve = try BinaryFlags.of("serve")
        #expect(shared.subtracting(serve).isEmpty, "shared flags the table (serve's) does not list: \(shared.subtracting(serve).sorted())")
    }
}
