/// Bounds how many scenario collections run at once across the suite's parallel tests. Each holds a pool of up
/// to 3 connections, and the test cluster allows 100 in all (shared with the psql calls of every test and with
/// the other test targets), so unbounded parallel tests would meet "too many clients already".
actor CollectionSlots {
    static let shared = CollectionSlots(count: 4)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) {
        free = count
    }

    /// Waits for a free slot and takes it.
    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Gives the slot back, to the longest waiter if there is one.
    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
