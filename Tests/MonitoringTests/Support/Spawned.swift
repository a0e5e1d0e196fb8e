import Foundation
import Glibc
import TestSupport

/// A long-running server a test starts (Prometheus, Alertmanager): TestSupport's ``ChildProcess`` with its
/// standard output and error in one log file, stopped (SIGTERM, then SIGKILL) by ``stop()`` or when the last
/// reference goes away.
final class Spawned: Sendable {
    let name: String
    let logPath: String
    private let child: ChildProcess

    private init(name: String, logPath: String, child: ChildProcess) {
        self.name = name
        self.logPath = logPath
        self.child = child
    }

    deinit {
        stop()
    }

    /// Starts `executable` with `arguments` and this process's environment, then waits until it answers
    /// 200 on `http://127.0.0.1:port/-/ready` (both Prometheus and Alertmanager have that endpoint).
    static func startServer(_ executable: String, _ arguments: [String], logPath: String, port: Int, timeout: Duration) throws -> Spawned {
        let child = try ChildProcess.spawn(
            executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
            stdinPath: nil, stdoutPath: logPath, stderrPath: logPath, newProcessGroup: false)
        let process = Spawned(name: URL(fileURLWithPath: executable).lastPathComponent, logPath: logPath, child: child)
        try waitUntil(timeout: timeout, pollEvery: .milliseconds(100), "\(process.name) is ready on port \(port)") {
            try process.requireRunning()
            return (try? HTTPTestClient.get(port: port, path: "/-/ready", timeout: .seconds(2)).status) == 200
        }
        return process
    }

    /// Throws, with the end of its log, if the program has exited.
    func requireRunning() throws {
        if let status = child.poll() {
            throw TestSupportError("\(name) exited with status \(status); its log ends with:\n\(logTail())")
        }
    }

    /// SIGTERM, up to 10 seconds to exit, then SIGKILL. Does nothing once the program has been reaped.
    func stop() {
        guard child.poll() == nil else { return }
        child.send(SIGTERM)
        if child.wait(until: .now + .seconds(10)) == nil {
            child.send(SIGKILL)
            _ = child.wait(until: .now + .seconds(5))
        }
    }

    /// The last lines of its log.
    func logTail(lines: Int = 40) -> String {
        let text = String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
