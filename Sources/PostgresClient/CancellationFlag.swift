import Synchronization

/// A flag set once from any thread (a task's cancellation handler) and read by blocking code on another.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() {
        value.store(true, ordering: .relaxed)
    }

    var isSet: Bool {
        value.load(ordering: .relaxed)
    }
}
