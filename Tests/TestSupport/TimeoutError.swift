/// Something did not happen within its deadline: a condition of `waitUntil`,
/// a process of `runProcess`, an HTTP exchange.
public struct TimeoutError: Error, CustomStringConvertible {
    /// What was being waited for, and for how long.
    public let description: String

    /// Creates an error with the given message.
    public init(_ description: String) {
        self.description = description
    }
}
