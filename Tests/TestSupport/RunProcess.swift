import Foundation
import Glibc

/// Runs a program to its end and returns its exit status and output.
///
/// - Parameters:
///   - executable: an absolute path, a path relative to the working directory, or a name looked up on `PATH`.
///   - arguments: the arguments, without the program name.
///   - environment: the complete environment of the program; nil inherits this process's environment.
///   - stdin: the program's standard input; nil gives it /dev/null.
///   - timeout: how long it may run. Past it the program and everything in its process group are killed
///     and a ``TimeoutError`` is thrown.
/// - Returns: the exit status and output; a non-zero status is not an error here.
public func runProcess(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String]? = nil,
    stdin: String? = nil,
    timeout: Duration = .seconds(60)
) throws -> ProcessResult {
    let path = try ExecutableLookup.require(executable)
    let scratch = try TemporaryDirectory(prefix: "run")
    defer { scratch.remove() }

    var stdinPath: String?
    if let stdin {
        stdinPath = scratch.path + "/stdin"
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: stdinPath!))
    }
    let stdoutPath = scratch.path + "/stdout"
    let stderrPath = scratch.path + "/stderr"

    let deadline = ContinuousClock.now + timeout
    let child = try ChildProcess.spawn(
        executable: path,
        arguments: arguments,
        environment: environment ?? ProcessInfo.processInfo.environment,
        stdinPath: stdinPath,
        stdoutPath: stdoutPath,
        stderrPath: stderrPath,
        newProcessGroup: true
    )
    guard let status = child.wait(until: deadline) else {
        child.killGroup()
        _ = child.wait(until: .now + .seconds(5))
        let stderr = TemporaryDirectory.readText(stderrPath)
        throw TimeoutError(
            "\(([executable] + arguments).joined(separator: " ")) did not finish within \(timeout) and was killed"
                + (stderr.isEmpty ? "" : "; its stderr:\n\(stderr)")
        )
    }
    return ProcessResult(
        status: status,
        stdout: TemporaryDirectory.readText(stdoutPath),
        stderr: TemporaryDirectory.readText(stderrPath)
    )
}
