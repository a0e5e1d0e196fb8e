import CollectorConfig
import FoundationEssentials

/// The HTML page at `/`: what is running, each collector's last result, and where the metrics are.
/// It shows the database target (user, host, port, database) but never a password.
struct LandingPage: Sendable {
    let telemetryPath: String

    func render(_ state: ExporterState) -> [UInt8] {
        var rows = ""
        for status in state.collectors {
            let definition = status.definition
            let result: String
            let when: String
            let duration: String
            if let run = status.lastRun {
                when = TextFormatting.iso8601(secondsSinceEpoch: run.startedAt.timeIntervalSince1970)
                duration = TextFormatting.fixed(run.duration.seconds, decimals: 3) + "s"
                switch run.outcome {
                case .success(let output): result = "<span class=\"ok\">ok</span> (\(output.seriesCount) series)"
                case .failure(let failure): result = "<span class=\"error\">\(escape(failure.reason.rawValue))</span>: \(escape(failure.description))"
                }
            } else {
                when = "—"
                duration = "—"
                result = "not run yet"
            }
            let interval = PrometheusDuration.format(definition.interval)
            let timeout = PrometheusDuration.format(definition.timeout)
            rows += "<tr><td>\(escape(definition.name))</td><td>\(interval)</td><td>\(timeout)</td><td>\(when)</td><td>\(duration)</td><td>\(result)</td></tr>\n"
        }
        let database = state.databaseUp == nil ? "not tried yet" : (state.databaseUp == true ? "up" : "down")
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>chat-exporter</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.ok{color:#1a7f37}.error{color:#cf222e}</style>
            </head>
            <body>
            <h1>chat-exporter</h1>
            <p>Prometheus exporter for the chat-creation system of the tutoring platform.</p>
            <ul>
            <li><a href="\(escape(telemetryPath))">Metrics</a> (\(escape(telemetryPath)))</li>
            <li><a href="/-/healthy">Health</a> · <a href="/-/ready">Readiness</a> (\(state.isReady ? "ready" : "not ready"))</li>
            </ul>
            <p>Version \(escape(BuildInfo.version)) (revision \(escape(BuildInfo.revision)), Swift \(escape(BuildInfo.swiftVersion))).
            Database \(escape(state.databaseTarget)): \(database). Collectors file: \(escape(state.configPath)).</p>
            <h2>Collectors</h2>
            <table>
            <tr><th>collector</th><th>interval</th><th>timeout</th><th>last run</th><th>duration</th><th>result</th></tr>
            \(rows)</table>
            </body>
            </html>

            """
        return Array(html.utf8)
    }

    private func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
