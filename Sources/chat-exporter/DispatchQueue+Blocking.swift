import Dispatch

extension DispatchQueue {
    /// Runs `work` on the global utility queue and returns its result: for work that blocks (system calls that wait,
    /// page-table walks, joining a daemon's threads), which must not hold one of the few threads of Swift's
    /// cooperative pool that the collectors' and the services' tasks share.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    /// ``blocking(_:)`` for work that cannot fail.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: work())
            }
        }
    }
}
