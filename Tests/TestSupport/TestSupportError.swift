/// A failure of the test support itself: a missing tool, a process that failed, a malformed answer.
/// Its description says what went wrong and, where it can, what to do about it.
public struct TestSupportError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    /// Creates an error with the given message.
    public init(_ description: String) {
        self.description = description
    }
}
