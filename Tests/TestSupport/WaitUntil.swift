import Foundation

/// Polls `condition` until it returns true, and throws a ``TimeoutError`` naming `description` when it
/// has not by `timeout`: a wait never passes silently. An error thrown by `condition` ends the wait at
/// once; write `(try? check()) ?? false` to keep polling through errors.
///
/// - Parameters:
///   - timeout: how long to wait at most.
///   - pollEvery: the pause between two evaluations.
///   - description: what is awaited, for the error message ("the exporter is ready"); evaluated only when
///     the wait times out, so it may describe the state at that moment (a log read then).
///   - condition: evaluated at once, then after every pause, and a last time at the deadline.
public func waitUntil(
    timeout: Duration,
    pollEvery: Duration = .milliseconds(50),
    _ description: @autoclosure () -> String,
    _ condition: () throws -> Bool
) throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try condition() {
            return
        }
        let now = ContinuousClock.now
        if now >= deadline {
            throw TimeoutError("timed out after \(timeout) waiting until \(description())")
        }
        Thread.sleep(forTimeInterval: min(pollEvery, deadline - now).seconds)
    }
}

/// The asynchronous form of `waitUntil`: polls `condition` until it returns true, and throws a
/// ``TimeoutError`` naming `description` when it has not by `timeout`. Pauses with `Task.sleep`, so it
/// holds no thread while it waits; cancellation ends the wait with `CancellationError`.
public func waitUntil(
    timeout: Duration,
    pollEvery: Duration = .milliseconds(50),
    _ description: @autoclosure () -> String,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() {
            return
        }
        let now = ContinuousClock.now
        if now >= deadline {
            throw TimeoutError("timed out after \(timeout) waiting until \(description())")
        }
        try await Task.sleep(for: min(pollEvery, deadline - now))
    }
}
