import Foundation
import TestSupport

/// A chat-exporter process against a test database, with a collectors file written for the test.
final class RunningExporter: Sendable {
    let process: ExporterProcess
    let configPath: String?
    let directory: String

    /// Starts the exporter with `collectors` (YAML; nil runs the embedded defaults) against `database`.
    init(collectors: String?, database: TestDatabase?, arguments: [String] = [], environment: [String: String]? = nil) throws {
        directory = try TemporaryDirectory(prefix: "e2e").path
        var arguments = arguments
        if let collectors {
            let path = directory + "/collectors.yml"
            try collectors.write(toFile: path, atomically: true, encoding: .utf8)
            configPath = path
            arguments += ["--config.file", path]
        } else {
            configPath = nil
        }
        var env = environment ?? [:]
        if environment == nil, let database { env["DATA_SOURCE_NAME"] = database.keyValueDSN }
        process = try ExporterProcess.start(arguments: arguments + ["--log.level=debug"], environment: env)
        try process.waitUntilListening()
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    var port: Int { process.port }

    /// GET a path.
    func get(_ path: String, headers: [(String, String)] = [], method: String = "GET") throws -> HTTPTestResponse {
        try HTTPTestClient.get(port: port, path: path, headers: headers, method: method)
    }

    /// The current `/metrics`, parsed.
    func metrics() throws -> Exposition {
        let response = try get("/metrics")
        guard response.status == 200 else { throw TestSupportError("/metrics answered \(response.status)") }
        return Exposition(text: response.text)
    }

    /// Waits until `/-/ready` answers 200.
    func waitUntilReady(timeout: Duration = .seconds(20)) throws {
        try waitUntil(timeout: timeout, "chat-exporter is ready; stderr:\n\(process.stderr())") {
            (try? get("/-/ready").status) == 200
        }
    }

    /// Waits until the metrics satisfy `condition`.
    func waitForMetrics(timeout: Duration = .seconds(20), _ description: String, _ condition: (Exposition) -> Bool) throws {
        try waitUntil(timeout: timeout, pollEvery: .milliseconds(100), description) {
            guard let metrics = try? metrics() else { return false }
            return condition(metrics)
        }
    }

    /// Replaces the collectors file (for reload tests).
    func rewriteCollectors(_ yaml: String) throws {
        guard let configPath else { throw TestSupportError("this exporter runs the default collectors") }
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }
}
