/// How a finished process ended and what it printed.
public struct ProcessResult: Sendable {
    /// The exit status; 128 + the signal number when a signal ended the process (as shells report it).
    public let status: Int32
    /// Everything the process wrote to its standard output, decoded as UTF-8.
    public let stdout: String
    /// Everything the process wrote to its standard error, decoded as UTF-8.
    public let stderr: String

    /// Whether the process exited with status 0.
    public var succeeded: Bool { status == 0 }
}
