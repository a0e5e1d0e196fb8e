import Foundation
import TestSupport

/// A real Prometheus 2.42 (`prometheus` of Debian's package) for a test, on 127.0.0.1, with its own
/// configuration and storage in a scratch directory. Stopped by ``stop()`` or on deinit.
final class PrometheusServer: Sendable {
    let served: ServedProcess
    var port: Int { served.port }

    private init(_ served: ServedProcess) {
        self.served = served
    }

    /// Starts Prometheus with `configuration` (prometheus.yml text) and waits until it is ready.
    static func start(configuration: String, timeout: Duration = .seconds(60)) throws -> PrometheusServer {
        let executable = try executablePath("prometheus", candidates: ["/usr/bin/prometheus"])
        return PrometheusServer(try ServedProcess.start(executable, named: "prometheus", configuration: configuration, timeout: timeout) { directory, port in
            ["--storage.tsdb.path=\(directory)/data", "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
        })
    }

    func stop() {
        served.stop()
    }

    /// The `data` of a successful API answer.
    private func data(_ path: String) throws -> Any {
        guard let answer = try JSONHTTP.get(port: port, path) as? [String: Any],
            answer.string("status") == "success", let data = answer["data"]
        else {
            throw TestSupportError("Prometheus answered \(path) without success")
        }
        return data
    }

    /// The instant vector `expression` evaluates to now: each element's labels and value.
    func query(_ expression: String) throws -> [(labels: [String: String], value: Double)] {
        guard let data = try data("/api/v1/query?query=" + JSONHTTP.encode(expression)) as? [String: Any] else {
            throw TestSupportError("no data for \(expression)")
        }
        if data.string("resultType") == "scalar", let pair = data["result"] as? [Any], let text = pair.last as? String {
            return [([:], Double(text) ?? .nan)]
        }
        return data.objects("result").map { element in
            let value = (element["value"] as? [Any])?.last as? String
            return (element.labels("metric"), value.flatMap(Double.init) ?? .nan)
        }
    }

    /// The alerts Prometheus holds now (pending and firing), from /api/v1/alerts.
    func alerts() throws -> [[String: Any]] {
        guard let data = try data("/api/v1/alerts") as? [String: Any] else { return [] }
        return data.objects("alerts")
    }

    /// The rule groups Prometheus has loaded, from /api/v1/rules.
    func ruleGroups() throws -> [[String: Any]] {
        guard let data = try data("/api/v1/rules") as? [String: Any] else { return [] }
        return data.objects("groups")
    }

    /// The active scrape targets, from /api/v1/targets.
    func targets() throws -> [[String: Any]] {
        guard let data = try data("/api/v1/targets") as? [String: Any] else { return [] }
        return data.objects("activeTargets")
    }
}

/// A real Alertmanager 0.25 (`prometheus-alertmanager`) for a test, on 127.0.0.1, clustering off.
final class AlertmanagerServer: Sendable {
    let served: ServedProcess
    var port: Int { served.port }

    private init(_ served: ServedProcess) {
        self.served = served
    }

    /// Starts Alertmanager with `configuration` (alertmanager.yml text) and waits until it is ready.
    static func start(configuration: String, timeout: Duration = .seconds(30)) throws -> AlertmanagerServer {
        let executable = try executablePath("prometheus-alertmanager", candidates: ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"])
        return AlertmanagerServer(try ServedProcess.start(executable, named: "alertmanager", configuration: configuration, timeout: timeout) { directory, port in
            ["--storage.path=\(directory)/data", "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn"]
        })
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        served.stop()
    }

    /// The alerts it holds, from /api/v2/alerts (inhibited and silenced ones included).
    func alerts() throws -> [[String: Any]] {
        try JSONHTTP.get(port: port, "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true") as? [[String: Any]] ?? []
    }
}

/// A server process of a test (Prometheus, Alertmanager) on a free port of 127.0.0.1, with its configuration file,
/// storage and log in a scratch directory. Stopped, and the directory removed, on deinit.
final class ServedProcess: Sendable {
    let port: Int
    let process: Spawned
    let directory: ScratchDirectory

    private init(port: Int, process: Spawned, directory: ScratchDirectory) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    deinit {
        process.stop()
        directory.remove()
    }

    /// Writes `configuration` to `<name>.yml`, starts `executable` with `--config.file` and the `arguments` made
    /// for the scratch directory and the port, and waits until it listens; its log is `<name>.log`.
    static func start(
        _ executable: String, named name: String, configuration: String, timeout: Duration,
        arguments: (_ directory: String, _ port: Int) -> [String]
    ) throws -> ServedProcess {
        let directory = try ScratchDirectory(name)
        let configPath = try directory.write("\(name).yml", configuration)
        let port = freeTCPPort()
        let process = try Spawned.startServer(
            executable, ["--config.file=\(configPath)"] + arguments(directory.path, port),
            logPath: directory.path + "/\(name).log", port: port, timeout: timeout)
        return ServedProcess(port: port, process: process, directory: directory)
    }

    func stop() {
        process.stop()
    }
}
