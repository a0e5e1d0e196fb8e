import Foundation
import TestSupport

/// The files of the monitoring package (alerts, runbooks, dashboards, deploy), found from this source
/// file's path, so the tests work from any working directory.
enum Repository {
    /// An absolute path under the package root.
    static func path(_ relative: String) -> String {
        PackageLayout.path(relative)
    }

    /// The file's text; throws when it cannot be read.
    static func read(_ relative: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path(relative)) else {
            throw TestSupportError("cannot read \(relative)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether the file exists.
    static func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: path(relative))
    }

    /// Relative paths of the files directly in `directory` whose names end with `suffix`, sorted.
    static func files(in directory: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(directory))
            .filter { $0.hasSuffix(suffix) }
            .sorted()
            .map { directory + "/" + $0 }
    }

    /// The shipped rule files, alerts/*.rules.yml.
    static func ruleFiles() throws -> [String] {
        try files(in: "alerts", suffix: ".rules.yml")
    }

    /// The promtool unit-test files, alerts/tests/*.test.yml.
    static func ruleTestFiles() throws -> [String] {
        try files(in: "alerts/tests", suffix: ".test.yml")
    }

    /// The dashboards, dashboards/*.json.
    static func dashboardFiles() throws -> [String] {
        try files(in: "dashboards", suffix: ".json")
    }

    /// The runbook base URL as declared in alerts/README.md, on the line `Runbook base URL: \`...\``.
    static func runbookBaseURL() throws -> String {
        let readme = try read("alerts/README.md")
        let prefix = "Runbook base URL: `"
        for line in readme.split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            if let end = rest.firstIndex(of: "`") {
                return String(rest[..<end])
            }
        }
        throw TestSupportError("alerts/README.md declares no `Runbook base URL: `...`` line")
    }
}

/// A scratch directory for one test, removed by ``remove()``.
struct ScratchDirectory: Sendable {
    let path: String

    init(_ prefix: String) throws {
        path = try TemporaryDirectory(prefix: "monitoring-\(prefix)").path
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The path of a program: the first of `candidates` that is executable, else `name` on PATH.
func executablePath(_ name: String, candidates: [String] = []) throws -> String {
    let fileManager = FileManager.default
    for candidate in candidates where fileManager.isExecutableFile(atPath: candidate) {
        return candidate
    }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if fileManager.isExecutableFile(atPath: candidate) {
            return candidate
        }
    }
    throw TestSupportError("\(name) not found (apt-get install prometheus prometheus-alertmanager, or run scripts/test.sh)")
}

/// Runs a checker and describes its result for a failure message.
func describe(_ result: ProcessResult, _ command: [String]) -> String {
    "\(command.joined(separator: " ")) exited with \(result.status)\n--- stdout\n\(result.stdout)\n--- stderr\n\(result.stderr)"
}
