/// Prometheus's own checker, `promtool` (Debian package `prometheus`).
public enum Promtool {
    /// Runs `promtool check metrics` with `text` on its standard input. The result's status is 0 when
    /// promtool found nothing to complain about; its stdout and stderr hold the complaints. Throws only
    /// when promtool is not installed or does not finish within 30 seconds.
    public static func checkMetrics(_ text: String) throws -> ProcessResult {
        let promtool = try ExecutableLookup.require("promtool", hint: "apt-get install prometheus, or run scripts/test.sh")
        return try runProcess(promtool, ["check", "metrics"], stdin: text, timeout: .seconds(30))
    }
}
