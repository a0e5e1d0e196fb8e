import Foundation
import Testing
import TestSupport

/// scripts/run.sh, the run command of the README: the whole demo comes up, moves, and goes away without a trace.
@Suite(.serialized)
struct RunScriptTests {
    /// The metrics of the demo's exporter, parsed as `series -> value` (nil while it does not answer).
    private func metrics(port: Int) -> [String: Double]? {
        guard let response = try? HTTPTestClient.get(port: port, path: "/metrics", timeout: .seconds(5)), response.status == 200 else {
            return nil
        }
        var series: [String: Double] = [:]
        for line in response.text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            series[String(line[..<space])] = value
        }
        return series
    }

    /// The demo as a user meets it: up, chat metrics that move, the printed commands, Prometheus and Alertmanager
    /// when installed; then Ctrl-C stops everything it started and removes its files. No --duration: every check
    /// waits on its condition however loaded the machine is, and the test ends the demo itself.
    @Test func theDemoStartsServesMovingChatMetricsAndCtrlCLeavesNothingBehind() async throws {
        let port = freeTCPPort()
        let withPrometheus = findExecutable("prometheus") != nil && findExecutable("prometheus-alertmanager") != nil
        try await DemoRun.with(arguments: ["--port", "\(port)"] + (withPrometheus ? ["--with-prometheus"] : [])) { demo in
            try await checkTheRunningDemo(demo, port: port, withPrometheus: withPrometheus)
            #expect(!demo.processesLeftBehind().isEmpty, "the demo runs from its temporary directory")

            demo.interrupt()
            let status = try await demo.waitForExit(timeout: .seconds(60))
            #expect(status == 130, "log:\n\(demo.log)")
            #expect(demo.log.contains("stopping what it started"))
            expectNothingLeftBehind(demo, port: port)
        }
    }

    /// After the demo: no exporter listening, no process and no file of it left.
    private func expectNothingLeftBehind(_ demo: DemoRun, port: Int) {
        #expect(!TCPListening.isListening(port: port), "the exporter is gone")
        #expect(demo.processesLeftBehind().isEmpty, "processes left behind: \(demo.processesLeftBehind())")
        #expect((try? demo.filesLeftBehind()) == [], "temporary files left behind: \((try? demo.filesLeftBehind()) ?? [])")
    }

    private func checkTheRunningDemo(_ demo: DemoRun, port: Int, withPrometheus: Bool) async throws {
        // Up: it prints where to look once everything is ready; there, chat metrics with the database reachable.
        try await demo.waitForLog("metrics        http://127.0.0.1:\(port)/metrics", timeout: .seconds(240))
        try await demo.waitForLog("Ctrl-C stops everything.", timeout: .seconds(30))  // the banner's last line
        var first: [String: Double] = [:]
        try await waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(250), "the demo's exporter serves chat metrics with database_up 1; log:\n\(demo.log)") { () async throws -> Bool in
            guard let series = metrics(port: port) else { return false }
            guard series["chat_exporter_database_up"] == 1, series["chat_bookings_active"] != nil else { return false }
            first = series
            return true
        }
        #expect(first["chat_trigger_enabled{trigger=\"booking_create_chat\"}"] == 1)
        #expect((first["chat_rooms{state=\"live\"}"] ?? 0) > 100, "the sample data is loaded")

        // The printed command lines work against the demo database (read-only: check, and a backfill dry run).
        for (label, expected) in [("  check          ", "\"exit_code\""), ("  backfill       ", "\"dry_run\" : true")] {
            let line = try #require(demo.log.split(separator: "\n").first { $0.hasPrefix(label) }, "run.sh prints \(label)")
            let command = String(line.dropFirst(label.count)) + " --output json"
            let result = try await onThread { try runProcess("/bin/bash", ["-c", command], environment: plainEnvironment(), timeout: .seconds(60)) }
            #expect(result.status == 0 || result.status == 1, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stdout.contains(expected), "\(command): \(result.stdout)")
        }

        // Moving: the simulator activates a booking or two every round (2 s), and the next collector run (5 s)
        // shows it. A minute allows for a machine busy with other tests.
        let activeAtFirst = try #require(first["chat_bookings_active"])
        var seen: [Double] = []
        try await waitUntil(
            timeout: .seconds(60), pollEvery: .milliseconds(500),
            "chat_bookings_active grows past \(activeAtFirst) (seen: \(seen.suffix(20))); simulator log:\n\(demo.simulatorLogTail())\nrun.sh log:\n\(demo.log)"
        ) { () async throws -> Bool in
            guard let value = metrics(port: port)?["chat_bookings_active"] else { return false }
            if seen.last != value { seen.append(value) }
            return value > activeAtFirst
        }

        guard withPrometheus else { return }
        let prometheusPort = try #require(Self.port(after: "Prometheus     http://127.0.0.1:", in: demo.log), "the printed Prometheus URL")
        try await waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(250), "Prometheus scrapes the exporter") { () async throws -> Bool in
            guard let answer = try? HTTPTestClient.get(port: prometheusPort, path: "/api/v1/query?query=chat_exporter_database_up", timeout: .seconds(5)) else { return false }
            return answer.status == 200 && answer.text.contains("\"job\":\"chat-exporter\"") && answer.text.contains(",\"1\"]")
        }
        let alertmanagerPort = try #require(Self.port(after: "Alertmanager   http://127.0.0.1:", in: demo.log))
        #expect((try? HTTPTestClient.get(port: alertmanagerPort, path: "/-/ready").status) == 200)
        // The printed pages answer (Debian's packages have no React UI: /alerts is a 404 there).
        for (prefix, port) in [("(alerts: http://127.0.0.1:\(prometheusPort)", prometheusPort), ("(alerts received: http://127.0.0.1:\(alertmanagerPort)", alertmanagerPort)] {
            let line = try #require(demo.log.split(separator: "\n").first { $0.contains(prefix) }, "run.sh prints \(prefix)")
            let start = try #require(line.range(of: prefix)).upperBound
            let path = String(line[start...].prefix { $0 != ")" && $0 != ";" })
            #expect((try? HTTPTestClient.get(port: port, path: path).status) == 200, "\(prefix)\(path) does not answer 200")
        }
        let rules = try HTTPTestClient.get(port: prometheusPort, path: "/api/v1/rules")
        #expect(rules.text.contains("\"groups\":[{"), "the shipped alert rules are loaded")
    }

    /// Ctrl-C with the output going through a pipe (`| tee`) whose reader is gone first: run.sh's cleanup must still
    /// stop everything, not die of SIGPIPE at its first line (which left PostgreSQL and the exporter running).
    @Test func ctrlCWithTheOutputThroughTeeLeavesNothingBehind() async throws {
        let port = freeTCPPort()
        try await DemoRun.with(arguments: ["--port", "\(port)"], throughTee: true) { demo in
            try await demo.waitForLog("metrics        http://127.0.0.1:\(port)/metrics", timeout: .seconds(240))
            #expect(!demo.processesLeftBehind().isEmpty, "the demo runs from its temporary directory")
            #expect(demo.killTee(), "the tee of the pipeline runs")
            demo.interrupt()
            _ = try await demo.waitForExit(timeout: .seconds(60))
            try waitUntil(timeout: .seconds(30), pollEvery: .milliseconds(250), "run.sh's cleanup finishes after the pipeline ends") {
                demo.processesLeftBehind().isEmpty
            }
            expectNothingLeftBehind(demo, port: port)
        }
    }

    /// --duration: once up, the demo stops by itself after that long, exits 0 and leaves nothing behind.
    @Test func durationStopsTheDemoByItselfAndLeavesNothingBehind() async throws {
        let port = freeTCPPort()
        try await DemoRun.with(arguments: ["--port", "\(port)", "--duration", "3"]) { demo in
            try await demo.waitForLog("Stopping everything in 3 s (--duration).", timeout: .seconds(240))
            #expect(!demo.processesLeftBehind().isEmpty, "the demo runs from its temporary directory")
            let status = try await demo.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "log:\n\(demo.log)")
            #expect(demo.log.contains("--duration 3 reached"))
            expectNothingLeftBehind(demo, port: port)
        }
    }

    /// With a database of one's own that cannot be reached, run.sh says so once instead of just "running" above a
    /// stream of connection warnings, and never prints the password.
    /// postgres_exporter's variables name a database of one's own as DATABASE_URL does: no demo is started.
    @Test(arguments: ["DATABASE_URL", "DATA_SOURCE_URI"])
    func anUnreachableDatabaseOfOnesOwnIsSaidOnce(given: String) async throws {
        let port = freeTCPPort()
        let environment = given == "DATABASE_URL"
            ? ["DATABASE_URL": "postgresql://someone:never-printed@127.0.0.1:\(freeTCPPort())/nowhere"]
            : ["DATA_SOURCE_URI": "127.0.0.1:\(freeTCPPort())/nowhere?sslmode=disable", "DATA_SOURCE_USER": "someone",
               "DATA_SOURCE_PASS": "never-printed"]
        try await DemoRun.with(arguments: ["--port", "\(port)"], environment: environment) { demo in
            try await demo.waitForLog("warning: not ready after 15 s: the database is not reachable", timeout: .seconds(120))
            try await demo.waitForLog("metrics        http://127.0.0.1:\(port)/metrics", timeout: .seconds(30))
            demo.interrupt()
            _ = try await demo.waitForExit(timeout: .seconds(60))
            #expect(!demo.log.contains("never-printed"))
            #expect(!demo.log.contains("starting PostgreSQL"), "\(demo.log)")
            expectNothingLeftBehind(demo, port: port)
        }
    }

    @Test func badOptionsExitTwoAndHelpExitsZero() throws {
        let script = Repository.path("scripts/run.sh")
        let help = try runProcess("/bin/bash", [script, "--help"], environment: plainEnvironment(), timeout: .seconds(30))
        #expect(help.status == 0)
        for option in ["--with-prometheus", "--port", "--no-build", "--duration", "--binary"] {
            #expect(help.stdout.contains(option))
        }
        let bad = try runProcess("/bin/bash", [script, "--no-build", "--port", "nope"], environment: plainEnvironment(), timeout: .seconds(30))
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--port"))
    }

    /// The number after `prefix` in `text` (a port in a printed URL).
    static func port(after prefix: String, in text: String) -> Int? {
        guard let range = text.range(of: prefix) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:port.
enum TCPListening {
    static func isListening(port: Int) -> Bool {
        (try? HTTPTestClient.get(port: port, path: "/-/healthy", timeout: .seconds(2))) != nil
    }
}

/// Runs blocking work (a child process) on a thread of its own, off Swift's cooperative pool.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try work() })
        }
    }
}
