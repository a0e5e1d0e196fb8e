import PostgresClient

extension CheckReport {
    /// The report for a person: sections, ✓ / ⚠ / ✗ marks, and colour only when asked for.
    public func text(colored: Bool) -> String {
        func paint(_ text: String, _ status: Status) -> String {
            guard colored else { return text }
            let code = switch status {
            case .ok: "32"
            case .warning: "33"
            case .problem: "31"
            }
            return "\u{1B}[\(code)m\(text)\u{1B}[0m"
        }
        func mark(_ status: Status) -> String {
            switch status {
            case .ok: paint("✓", .ok)
            case .warning: paint("⚠", .warning)
            case .problem: paint("✗", .problem)
            }
        }
        var lines = ["Chat creation system check", ""]
        lines.append("▶ Connection")
        let place = connection.service == nil
            ? "\(connection.host):\(connection.port)/\(connection.database) as \(connection.user)"
            : ConnectionTarget(host: connection.host, port: connection.port, database: connection.database,
                               user: connection.user, service: connection.service).description
        if connection.connected {
            lines.append("  \(mark(.ok)) connected to \(place)")
            if let cannotCheck { lines.append("  \(mark(.problem)) cannot check: \(cannotCheck)") }
        } else {
            lines.append("  \(mark(.problem)) cannot connect to \(place): \(connection.error ?? "unknown error")")
        }
        var section = ""
        for check in checks {
            if check.section != section {
                section = check.section
                lines.append("")
                lines.append("▶ \(section)")
            }
            lines.append("  \(mark(check.status)) \(check.message)")
        }
        lines.append("")
        let problems = checks.filter { $0.status == .problem }.count
        let warnings = checks.filter { $0.status == .warning }.count
        switch exitCode {
        case 0 where warnings == 0: lines.append(paint("✓ All checks passed.", .ok))
        case 0: lines.append(paint("⚠ No problems, \(warnings) warning\(warnings == 1 ? "" : "s").", .warning))
        case 1: lines.append(paint("✗ \(problems) problem\(problems == 1 ? "" : "s") found, \(warnings) warning\(warnings == 1 ? "" : "s").", .problem))
        default:
            lines.append(paint(connection.connected ? "✗ The database could not be checked: \(cannotCheck ?? "see above")." : "✗ The database could not be checked.", .problem))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
