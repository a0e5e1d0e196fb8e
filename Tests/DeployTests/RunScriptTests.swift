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

    /// Every process whose command line or environment mentions `path`.
    private func processesMentioning(_ path: String) -> [String] {
        let own = ProcessInfo.processInfo.processIdentifier
        var found: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != own else { continue }
            for file in ["cmdline", "environ"] {
                guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/\(file)") else { continue }
                let text = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
                if text.contains(path) {
                    let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline").map {
                        String(decoding: $0.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
                    } ?? "?"
                    found.append("\(entry): \(command)")
                    break
                }
            }
        }
        return found
    }

    @Test func theDemoStartsServesMovingChatMetricsAndLeavesNothingBehind() async throws {
        let port = freeTCPPort()
        let scratch = NSTemporaryDirectory() + "chat-exporter-runsh-\(UUID().uuidString.prefix(8))"
        let tmp = scratch + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let logPath = scratch + "/run.log"

        let withPrometheus = findExecutable("prometheus") != nil && findExecutable("prometheus-alertmanager") != nil
        // The checks below run while the demo is up: the first values, two commands, 18 s for the simulator to
        // show and 15 s for Prometheus. They need the whole minute when the rest of the phase loads the machine.
        var arguments = ["--no-build", "--duration", "60", "--port", "\(port)"]
        if withPrometheus { arguments.append("--with-prometheus") }
        // No database in the environment: the demo starts its own. TMPDIR: everything it makes goes under `tmp`.
        let environment = plainEnvironment(["CHAT_EXPORTER_BIN": try Binary.chatExporter, "TMPDIR": tmp])
        let script = Repository.path("scripts/run.sh")
        let quoted = arguments.joined(separator: " ")
        let run = Task {
            try await onThread {
                try runProcess("/bin/bash", ["-c", "exec bash '\(script)' \(quoted) >'\(logPath)' 2>&1"], environment: environment, timeout: .seconds(300))
            }
        }
        func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        // Up: it prints where to look once everything is ready; there, chat metrics with the database reachable.
        try await waitUntil(timeout: .seconds(240), pollEvery: .milliseconds(250), "run.sh prints the metrics URL; log:\n\(log())") { () async throws -> Bool in
            log().contains("metrics        http://127.0.0.1:\(port)/metrics")
        }
        var first: [String: Double] = [:]
        try await waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(250), "the demo's exporter serves chat metrics with database_up 1; log:\n\(log())") { () async throws -> Bool in
            guard let series = metrics(port: port) else { return false }
            guard series["chat_exporter_database_up"] == 1, series["chat_bookings_active"] != nil else { return false }
            first = series
            return true
        }
        #expect(first["chat_trigger_enabled{trigger=\"booking_create_chat\"}"] == 1)
        #expect((first["chat_rooms{state=\"live\"}"] ?? 0) > 100, "the sample data is loaded")

        // The printed command lines work against the demo database (read-only: check, and a backfill dry run).
        for (label, expected) in [("  check          ", "\"exit_code\""), ("  backfill       ", "\"dry_run\" : true")] {
            let line = try #require(log().split(separator: "\n").first { $0.hasPrefix(label) }, "run.sh prints \(label)")
            let command = String(line.dropFirst(label.count)) + " --output json"
            let result = try runProcess("/bin/bash", ["-c", command], environment: plainEnvironment(), timeout: .seconds(60))
            #expect(result.status == 0 || result.status == 1, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stdout.contains(expected), "\(command): \(result.stdout)")
        }

        // Moving: the simulator activates bookings, and the next collector run shows it.
        let activeAtFirst = try #require(first["chat_bookings_active"])
        try await waitUntil(timeout: .seconds(18), pollEvery: .milliseconds(250), "chat_bookings_active grows past \(activeAtFirst)") { () async throws -> Bool in
            (metrics(port: port)?["chat_bookings_active"] ?? 0) > activeAtFirst
        }

        if withPrometheus {
            let prometheusPort = try #require(Self.port(after: "Prometheus     http://127.0.0.1:", in: log()), "the printed Prometheus URL")
            try await waitUntil(timeout: .seconds(15), pollEvery: .milliseconds(250), "Prometheus scrapes the exporter") { () async throws -> Bool in
                guard let answer = try? HTTPTestClient.get(port: prometheusPort, path: "/api/v1/query?query=chat_exporter_database_up", timeout: .seconds(5)) else { return false }
                return answer.status == 200 && answer.text.contains("\"job\":\"chat-exporter\"") && answer.text.contains(",\"1\"]")
            }
            let alertmanagerPort = try #require(Self.port(after: "Alertmanager   http://127.0.0.1:", in: log()))
            #expect((try? HTTPTestClient.get(port: alertmanagerPort, path: "/-/ready").status) == 200)
            let rules = try HTTPTestClient.get(port: prometheusPort, path: "/api/v1/rules")
            #expect(rules.text.contains("\"groups\":[{"), "the shipped alert rules are loaded")
        }

        // Down, by itself, after --duration: exit 0, no process and no file left.
        let result = try await run.value
        #expect(result.status == 0, "run.sh exited \(result.status); log:\n\(log())")
        #expect(log().contains("--duration 60 reached"))
        #expect(!TCPListening.isListening(port: port), "the exporter is gone")
        let leftovers = processesMentioning(tmp)
        #expect(leftovers.isEmpty, "processes left behind: \(leftovers)")
        let files = try FileManager.default.contentsOfDirectory(atPath: tmp)
        #expect(files.isEmpty, "temporary files left behind: \(files)")
    }

    @Test func ctrlCStopsEverythingItStartedAndRemovesItsFiles() async throws {
        let port = freeTCPPort()
        let scratch = NSTemporaryDirectory() + "chat-exporter-runsh-\(UUID().uuidString.prefix(8))"
        let tmp = scratch + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let logPath = scratch + "/run.log"
        let pidPath = scratch + "/pid"
        let environment = plainEnvironment(["CHAT_EXPORTER_BIN": try Binary.chatExporter, "TMPDIR": tmp])
        let script = Repository.path("scripts/run.sh")
        // runProcess makes the shell a process-group leader; `exec` keeps its pid, which it writes down first.
        let run = Task {
            try await onThread {
                try runProcess("/bin/bash", ["-c", "echo $$ >'\(pidPath)'; exec bash '\(script)' --no-build --port \(port) >'\(logPath)' 2>&1"],
                               environment: environment, timeout: .seconds(300))
            }
        }
        func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        try await waitUntil(timeout: .seconds(240), pollEvery: .milliseconds(250), "run.sh is up; log:\n\(log())") { () async throws -> Bool in
            log().contains("Ctrl-C stops everything.")
        }
        #expect(!processesMentioning(tmp).isEmpty, "the demo runs from the temporary directory")
        let pid = try #require(Int32((try String(contentsOfFile: pidPath, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        // What a terminal's Ctrl-C does: SIGINT to the whole foreground process group.
        #expect(kill(-pid, SIGINT) == 0)

        let result = try await run.value
        #expect(result.status == 130, "log:\n\(log())")
        #expect(log().contains("stopping what it started"))
        #expect(!TCPListening.isListening(port: port))
        let leftovers = processesMentioning(tmp)
        #expect(leftovers.isEmpty, "processes left behind: \(leftovers)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
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
