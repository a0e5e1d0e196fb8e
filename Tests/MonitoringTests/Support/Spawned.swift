import Foundation
import Glibc
import Synchronization
import TestSupport

/// A long-running program a test starts (Prometheus, Alertmanager): standard output and error go to a
/// log file, it gets no descriptor of ours but those three, and it is stopped (SIGTERM, then SIGKILL) by
/// ``stop()`` or when the last reference goes away.
final class Spawned: Sendable {
    let name: String
    let pid: pid_t
    let logPath: String
    private let status = Mutex<Int32?>(nil)

    private init(name: String, pid: pid_t, logPath: String) {
        self.name = name
        self.pid = pid
        self.logPath = logPath
    }

    deinit {
        stop()
    }

    /// Starts `executable` with `arguments` and this process's environment.
    static func start(_ executable: String, _ arguments: [String], logPath: String) throws -> Spawned {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        if let closeFrom = addCloseFrom {
            _ = closeFrom(&fileActions, 3)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        sigdelset(&allSignals, SIGKILL)
        sigdelset(&allSignals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &fileActions, &attributes, argv, envp)
        guard result == 0 else {
            throw TestSupportError("could not start \(executable): \(String(cString: strerror(result)))")
        }
        return Spawned(name: URL(fileURLWithPath: executable).lastPathComponent, pid: pid, logPath: logPath)
    }

    /// The exit status once the program has ended (reaping it), nil while it runs.
    func poll() -> Int32? {
        status.withLock { status in
            if status == nil {
                var raw: Int32 = 0
                let result = waitpid(pid, &raw, WNOHANG)
                if result == pid {
                    status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
                } else if result == -1 && errno == ECHILD {
                    status = -1
                }
            }
            return status
        }
    }

    /// Throws, with the end of its log, if the program has exited.
    func requireRunning() throws {
        if let status = poll() {
            throw TestSupportError("\(name) exited with status \(status); its log ends with:\n\(logTail())")
        }
    }

    /// SIGTERM, up to 10 seconds to exit, then SIGKILL. Does nothing once the program has been reaped.
    func stop() {
        guard poll() == nil else { return }
        signal(SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while poll() == nil && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if poll() == nil {
            signal(SIGKILL)
            let killDeadline = ContinuousClock.now + .seconds(5)
            while poll() == nil && ContinuousClock.now < killDeadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    private func signal(_ number: Int32) {
        status.withLock { status in
            if status == nil {
                _ = kill(pid, number)
            }
        }
    }

    /// The last lines of its log.
    func logTail(lines: Int = 40) -> String {
        let text = String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
}
