import Foundation
import Glibc

/// A running `chat-exporter` for end-to-end tests. Its standard output and error go to files that
/// ``stdout()`` and ``stderr()`` read at any time. Dropping the last reference kills a process that is
/// still running, so a failing test leaves nothing behind.
public final class ExporterProcess: Sendable {
    /// The TCP port it was told to listen on (127.0.0.1).
    public let port: Int
    private let child: ChildProcess
    private let logDirectory: TemporaryDirectory

    private init(port: Int, child: ChildProcess, logDirectory: TemporaryDirectory) {
        self.port = port
        self.child = child
        self.logDirectory = logDirectory
    }

    deinit {
        if child.poll() == nil {
            child.send(SIGKILL)
            _ = child.wait(until: .now + .seconds(5))
        }
        logDirectory.remove()
    }

    /// Starts ``Binary/chatExporter`` with `arguments`.
    ///
    /// Unless `arguments` already hold `--web.listen-address`, `--web.listen-address=127.0.0.1:PORT` is
    /// appended, with `port` or else a free port; when they do hold it, ``port`` is the port it names. A command
    /// that serves nothing (`backfill`) passes `listening: false`: nothing is appended and ``port`` is 0.
    /// The process gets exactly `environment`, plus `PATH`, `HOME` and `LANG` from this process unless
    /// `environment` sets them. Returns as soon as the process is started: wait for what the test needs
    /// (``waitUntilListening(timeout:)``, an HTTP answer) with a deadline.
    public static func start(
        arguments: [String], environment: [String: String], port: Int? = nil, listening: Bool = true
    ) throws -> ExporterProcess {
        let executable = try Binary.chatExporter
        var arguments = arguments
        let chosenPort: Int
        if !listening {
            chosenPort = 0
        } else if let named = listenAddressPort(in: arguments) {
            chosenPort = named
        } else {
            chosenPort = port ?? freeTCPPort()
            arguments.append("--web.listen-address=127.0.0.1:\(chosenPort)")
        }

        var fullEnvironment = environment
        let inherited = ProcessInfo.processInfo.environment
        for key in ["PATH", "HOME", "LANG"] where fullEnvironment[key] == nil {
            fullEnvironment[key] = inherited[key]
        }

        let logDirectory = try TemporaryDirectory(prefix: "exporter")
        do {
            let child = try ChildProcess.spawn(
                executable: executable,
                arguments: arguments,
                environment: fullEnvironment,
                stdinPath: nil,
                stdoutPath: logDirectory.path + "/stdout",
                stderrPath: logDirectory.path + "/stderr",
                newProcessGroup: false
            )
            return ExporterProcess(port: chosenPort, child: child, logDirectory: logDirectory)
        } catch {
            logDirectory.remove()
            throw error
        }
    }

    /// The process id.
    public var pid: Int32 { child.pid }

    /// Whether the process has not exited yet.
    public var isRunning: Bool { child.poll() == nil }

    /// Everything it has written to standard error so far (its log).
    public func stderr() -> String {
        TemporaryDirectory.readText(logDirectory.path + "/stderr")
    }

    /// Everything it has written to standard output so far.
    public func stdout() -> String {
        TemporaryDirectory.readText(logDirectory.path + "/stdout")
    }

    /// Sends a signal (SIGHUP, SIGTERM, ...) unless the process has already ended.
    public func signal(_ sig: Int32) {
        child.send(sig)
    }

    /// Sends SIGTERM and waits for the process to exit. Returns its exit status (128 + the signal
    /// number if a signal ended it). Past `timeout` it is killed with SIGKILL and a ``TimeoutError``
    /// is thrown. Returns the status at once if it had exited already.
    @discardableResult
    public func terminate(timeout: Duration = .seconds(10)) throws -> Int32 {
        child.send(SIGTERM)
        return try waitForExit(timeout: timeout)
    }

    /// Waits for the process to exit by itself and returns its exit status. Past `timeout` it is killed
    /// with SIGKILL and a ``TimeoutError`` is thrown.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(10)) throws -> Int32 {
        if let status = child.wait(until: .now + timeout) {
            return status
        }
        child.send(SIGKILL)
        _ = child.wait(until: .now + .seconds(5))
        throw TimeoutError("chat-exporter (pid \(pid)) did not exit within \(timeout) and was killed; its stderr:\n\(stderr())")
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:``port``. Throws at once, with the
    /// exporter's stderr, if the process exits first, and a ``TimeoutError`` past `timeout`.
    public func waitUntilListening(timeout: Duration = .seconds(10)) throws {
        try waitUntil(timeout: timeout, pollEvery: .milliseconds(20), "chat-exporter listens on 127.0.0.1:\(port)") {
            if let status = child.poll() {
                throw TestSupportError("chat-exporter exited with status \(status) before listening on port \(port); its stderr:\n\(stderr())")
            }
            return TCPSocket.canConnect(host: "127.0.0.1", port: port)
        }
    }

    /// The port named by a `--web.listen-address=HOST:PORT` or `--web.listen-address HOST:PORT` argument.
    private static func listenAddressPort(in arguments: [String]) -> Int? {
        let flag = "--web.listen-address"
        for (index, argument) in arguments.enumerated() {
            var value: String?
            if argument.hasPrefix(flag + "=") {
                value = String(argument.dropFirst(flag.count + 1))
            } else if argument == flag, index + 1 < arguments.count {
                value = arguments[index + 1]
            }
            if let value {
                return value.split(separator: ":").last.flatMap { Int($0) } ?? 0
            }
        }
        return nil
    }
}
