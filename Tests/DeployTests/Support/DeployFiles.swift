import Foundation
import Synchronization
import TestSupport

/// The repository's files.
enum Repository {
    static func path(_ relative: String) -> String { PackageLayout.path(relative) }

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// The files of a directory whose names end in one of `suffixes`, sorted.
    static func files(in relative: String, endingWith suffixes: [String]) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(relative))
            .filter { name in suffixes.contains { name.hasSuffix($0) } }
            .sorted()
    }
}

/// The environment of a child process: PATH (with the usual system directories) and nothing that could point it
/// at a database.
func plainEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    let inherited = ProcessInfo.processInfo.environment
    var environment = ["PATH": (inherited["PATH"] ?? "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"]
    if let home = inherited["HOME"] { environment["HOME"] = home }
    environment.merge(extra) { _, new in new }
    return environment
}

/// Whether an executable of that name is on PATH (or in the system directories).
func findExecutable(_ name: String) -> String? {
    let path = plainEnvironment()["PATH"] ?? ""
    for directory in path.split(separator: ":") where !directory.isEmpty {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// YAML files parsed by PyYAML (Debian's python3-yaml), through `python3`: each file as its list of documents,
/// converted to JSON and back to Foundation values.
enum YAMLDocuments {
    private static let converter = """
        import json, sys, yaml
        documents = [d for d in yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')) if d is not None]
        json.dump(documents, sys.stdout)
        """

    /// A python3 that can import yaml: Debian's first (a python3 earlier on PATH may lack PyYAML).
    static let python: Result<String, TestSupportError> = {
        var candidates = ["/usr/bin/python3"]
        if let onPath = findExecutable("python3") { candidates.append(onPath) }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if let result = try? runProcess(candidate, ["-c", "import yaml"], environment: plainEnvironment(), timeout: .seconds(30)),
                result.succeeded
            {
                return .success(candidate)
            }
        }
        return .failure(TestSupportError("no python3 with PyYAML found: apt-get install python3-yaml (scripts/test.sh does)"))
    }()

    /// The documents of a YAML file; throws with PyYAML's message when it does not parse.
    static func load(_ path: String) throws -> [Any] {
        let result = try runProcess(try python.get(), ["-c", converter, path], environment: plainEnvironment(), timeout: .seconds(30))
        guard result.succeeded else {
            throw TestSupportError("\(path) does not parse as YAML: \(result.stderr)")
        }
        guard let documents = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any] else {
            throw TestSupportError("\(path): unexpected converter output")
        }
        return documents
    }
}

/// The flags `chat-exporter <subcommand> --help` lists.
enum BinaryFlags {
    private static let cache = Mutex<[String: Set<String>]>([:])

    static func of(_ subcommand: String) throws -> Set<String> {
        if let known = cache.withLock({ $0[subcommand] }) { return known }
        let result = try runProcess(Binary.chatExporter, [subcommand, "--help"], environment: plainEnvironment(), timeout: .seconds(30))
        guard result.succeeded else {
            throw TestSupportError("chat-exporter \(subcommand) --help failed (\(result.status)): \(result.stderr)")
        }
        let flags = extractFlags(result.stdout)
        guard !flags.isEmpty else { throw TestSupportError("chat-exporter \(subcommand) --help lists no flags") }
        cache.withLock { $0[subcommand] = flags }
        return flags
    }

    /// Every `--name` in a text (names: letters, digits, dots and dashes).
    static func extractFlags(_ text: String) -> Set<String> {
        var flags: Set<String> = []
        let characters = Array(text)
        var index = 0
        while index + 2 < characters.count {
            if characters[index] == "-", characters[index + 1] == "-", characters[index + 2].isLetter,
                index == 0 || !(characters[index - 1].isLetter || characters[index - 1].isNumber || characters[index - 1] == "-")
            {
                var end = index + 2
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "." || characters[end] == "-" {
                    end += 1
                }
                var flag = String(characters[index..<end])
                while flag.hasSuffix(".") { flag.removeLast() }
                flags.insert(flag)
                index = end
            } else {
                index += 1
            }
        }
        return flags
    }

    /// The `--name` part of each flag argument (`--name=value` or `--name`).
    static func names(in arguments: [String]) -> [String] {
        arguments.filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=", maxSplits: 1)[0]) }
    }
}

/// A systemd unit file, as sections of (key, value) pairs in order (keys may repeat).
struct UnitFile {
    let name: String
    let sections: [String: [(key: String, value: String)]]

    init(name: String, text: String) {
        self.name = name
        var sections: [String: [(key: String, value: String)]] = [:]
        var current = ""
        var pending = ""
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = pending + rawLine.trimmingCharacters(in: .whitespaces)
            pending = ""
            if line.hasSuffix("\\") {
                line.removeLast()
                pending = line + " "
                continue
            }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast())
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current, default: []].append((key, value))
        }
        self.sections = sections
    }

    /// The last value of a key (systemd's rule for most settings).
    func value(_ section: String, _ key: String) -> String? {
        sections[section]?.last { $0.key == key }?.value
    }

    func values(_ section: String, _ key: String) -> [String] {
        (sections[section] ?? []).filter { $0.key == key }.map(\.value)
    }
}
