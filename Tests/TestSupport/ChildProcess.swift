import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn`: standard input from a file (or /dev/null), standard
/// output and error to files, no other inherited descriptor, default signal dispositions and an empty
/// signal mask whatever the test process has set. Files rather than pipes: nothing can block on a full
/// pipe, and a daemon the child leaves behind (pg_ctl's postmaster) holds nothing of ours open.
///
/// Reaped at most once; after that the pid is never signalled again, so a recycled pid is safe.
public final class ChildProcess: Sendable {
    /// The process id.
    let pid: pid_t
    /// The wait status once reaped, as the shell reports it (128 + signal for a signal).
    private let exitStatus = Mutex<Int32?>(nil)

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `executable` (an absolute path) with `arguments` and exactly `environment`.
    /// With `newProcessGroup` the child leads a process group of its own, so that ``killGroup()``
    /// reaches whatever it started. When `stderrPath` is `stdoutPath`, both streams share one file.
    public static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String],
        stdinPath: String?,
        stdoutPath: String,
        stderrPath: String,
        newProcessGroup: Bool
    ) throws -> ChildProcess {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if stderrPath == stdoutPath {
            posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&fileActions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
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
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &fileActions, &attributes, argv, envp)
        guard result == 0 else {
            throw TestSupportError("could not start \(executable): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid)
    }

    /// The exit status if the process has ended (reaping it), nil while it runs.
    public func poll() -> Int32? {
        exitStatus.withLock { status in
            if let status {
                return status
            }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                status = Self.shellStatus(raw)
            } else if result == -1 && errno == ECHILD {
                status = -1  // reaped elsewhere: nothing more to learn
            }
            return status
        }
    }

    /// Waits until the process ends or `deadline` passes; the exit status, or nil at the deadline.
    public func wait(until deadline: ContinuousClock.Instant) -> Int32? {
        var pause = Duration.milliseconds(1)
        while true {
            if let status = poll() {
                return status
            }
            let now = ContinuousClock.now
            if now >= deadline {
                return nil
            }
            Thread.sleep(forTimeInterval: min(pause, deadline - now).seconds)
            pause = min(pause * 2, .milliseconds(20))
        }
    }

    /// Sends `signal` to the process unless it has been reaped already.
    public func send(_ signal: Int32) {
        exitStatus.withLock { status in
            if status == nil {
                _ = Glibc.kill(pid, signal)
            }
        }
    }

    /// Sends `signal` to the process's whole group unless the process has been reaped already (only for
    /// processes spawned with `newProcessGroup`): what a terminal's Ctrl-C does with SIGINT.
    public func sendToGroup(_ signal: Int32) {
        exitStatus.withLock { status in
            if status == nil {
                _ = Glibc.kill(-pid, signal)
            }
        }
    }

    /// Sends SIGKILL to the process's whole group (only for processes spawned with `newProcessGroup`).
    func killGroup() {
        sendToGroup(SIGKILL)
    }

    /// Turns a raw wait status into the shell's convention.
    private static func shellStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        if signal == 0 {
            return (raw >> 8) & 0xff
        }
        return 128 + signal
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module
    /// does not show: without it a child would inherit every descriptor the test process opened
    /// without close-on-exec, such as another test's pipes.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
}
