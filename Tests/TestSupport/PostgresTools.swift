import Foundation

/// Where the PostgreSQL programs are: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin,
/// else `PATH` (the same search as scripts/pg-cluster.sh).
enum PostgresTools {
    /// The directory of the server and client programs, if one was found.
    static let binDirectory: String? = {
        let fileManager = FileManager.default
        if let pgConfig = ExecutableLookup.find("pg_config"),
            let result = try? runProcess(pgConfig, ["--bindir"], timeout: .seconds(10)),
            result.succeeded
        {
            let directory = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if fileManager.isExecutableFile(atPath: directory + "/psql") {
                return directory
            }
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { Int($0) }
            .sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { fileManager.isExecutableFile(atPath: $0 + "/psql") }
    }()

    /// The psql client.
    static func psql() throws -> String {
        if let directory = binDirectory {
            return directory + "/psql"
        }
        return try ExecutableLookup.require("psql", hint: "apt-get install postgresql-client, or run scripts/test.sh")
    }

    /// This process's environment without the libpq variables that could redirect or alter a connection,
    /// plus `overrides`.
    static func cleanEnvironment(_ overrides: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment.merge(overrides) { _, new in new }
        return environment
    }
}
