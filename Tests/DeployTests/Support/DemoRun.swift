import Foundation
import Glibc
import TestSupport

/// One run of scripts/run.sh (the README's run command) with `--no-build`, as a user starts it from a terminal:
/// the leader of its own process group, standard output and error in one log, and everything it makes under a
/// private TMPDIR (`tmp`), so that what it leaves behind can be looked for.
final class DemoRun: Sendable {
    /// The scratch directory: the log, and `tmp`, the demo's TMPDIR.
    let scratch: String
    /// The demo's TMPDIR: empty again once the demo has stopped.
    let tmp: String
    /// Where run.sh's standard output and error go.
    let logPath: String
    private let child: ChildProcess

    /// Starts `scripts/run.sh --no-build` with `arguments`, no database in the environment (the demo starts its
    /// own) and the chat-exporter binary the tests run. `throughTee`: as `run.sh ... 2>&1 | tee LOG`, so that a
    /// Ctrl-C ends the pipe's reader too.
    init(arguments: [String], throughTee: Bool = false, environment extra: [String: String] = [:]) throws {
        // The postgres user runs the demo's cluster under `tmp`: the directories must be reachable for it.
        scratch = try TemporaryDirectory(prefix: "runsh", reachableByOthers: true).path
        tmp = scratch + "/tmp"
        logPath = scratch + "/run.log"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let command = [Repository.path("scripts/run.sh"), "--no-build"] + arguments
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        child = try ChildProcess.spawn(
            executable: "/bin/bash",
            arguments: throughTee ? ["-c", "bash \(quoted) 2>&1 | tee -a '\(scratch)/tee.log'"] : command,
            environment: plainEnvironment(["CHAT_EXPORTER_BIN": try Binary.chatExporter, "TMPDIR": tmp].merging(extra) { _, new in new }),
            stdinPath: nil,
            stdoutPath: logPath,
            stderrPath: logPath,
            newProcessGroup: true
        )
    }

    /// Starts a demo with `arguments`, runs `body` with it, and then stops whatever still runs and removes the
    /// scratch directory, whether `body` returned or threw.
    static func with(
        arguments: [String], throughTee: Bool = false, environment: [String: String] = [:], _ body: (DemoRun) async throws -> Void
    ) async throws {
        let demo = try DemoRun(arguments: arguments, throughTee: throughTee, environment: environment)
        do {
            try await body(demo)
        } catch {
            await demo.discard()
            throw error
        }
        await demo.discard()
    }

    /// What run.sh has printed so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The last `lines` lines of the activity simulator's log (its path is printed once the demo is up).
    func simulatorLogTail(lines: Int = 20) -> String {
        let prefix = "  simulator log  "
        guard let line = log.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
              let text = try? String(contentsOfFile: String(line.dropFirst(prefix.count)), encoding: .utf8)
        else { return "(no simulator log)" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Waits until run.sh has printed `text`; fails early, with the log, when run.sh exits first.
    func waitForLog(_ text: String, timeout: Duration) async throws {
        try await waitUntil(timeout: timeout, pollEvery: .milliseconds(250), "run.sh prints \"\(text)\"; log:\n\(log)") { () async throws -> Bool in
            if log.contains(text) { return true }
            if let status = child.poll() {
                throw TestSupportError("run.sh exited with status \(status) before printing \"\(text)\"; log:\n\(log)")
            }
            return false
        }
    }

    /// With `throughTee`: kills the `tee` reading run.sh's output, as a closed terminal or a Ctrl-C that reaches it
    /// first would; run.sh's next line then meets a pipe without a reader. Returns whether one was found.
    @discardableResult
    func killTee() -> Bool {
        var killed = false
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry) else { continue }
            if Self.readNulSeparated("/proc/\(entry)/cmdline").hasPrefix("tee -a \(scratch)/tee.log") {
                kill(pid, SIGKILL)
                killed = true
            }
        }
        return killed
    }

    /// What a terminal's Ctrl-C does: SIGINT to the whole foreground process group.
    func interrupt() {
        child.sendToGroup(SIGINT)
    }

    /// Waits for run.sh to end and returns its exit status; past `timeout` its whole group is killed and this
    /// throws.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        try await waitUntil(timeout: timeout, pollEvery: .milliseconds(250), "run.sh exits; log:\n\(log)") { () async -> Bool in
            child.poll() != nil
        }
        return child.poll() ?? -1
    }

    /// Stops whatever is still running (after a failed check), kills what run.sh left behind (what the tests look
    /// for: it must not load the rest of the test run), and removes the scratch directory.
    private func discard() async {
        if child.poll() == nil {
            interrupt()
            if (try? await waitForExit(timeout: .seconds(30))) == nil {
                child.sendToGroup(SIGKILL)
                _ = child.wait(until: .now + .seconds(5))
            }
        }
        for (pid, _) in leftovers() {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Every process whose command line or environment mentions the demo's TMPDIR, as "pid: command line".
    func processesLeftBehind() -> [String] {
        leftovers().map { "\($0.pid): \($0.command)" }
    }

    private func leftovers() -> [(pid: Int32, command: String)] {
        let own = ProcessInfo.processInfo.processIdentifier
        var found: [(pid: Int32, command: String)] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != own else { continue }
            let texts = ["cmdline", "environ"].map { Self.readNulSeparated("/proc/\(entry)/\($0)") }
            if texts.contains(where: { $0.contains(tmp) }) {
                found.append((pid, texts[0]))
            }
        }
        return found
    }

    /// The files left in the demo's TMPDIR.
    func filesLeftBehind() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: tmp)
    }

    private static func readNulSeparated(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
