import Synchronization

/// Lets the same message through at most once per interval, and says how many were held back meanwhile.
/// libmicrohttpd logs one line per refused connection ("Server reached connection limit"), so a client hammering a
/// full server would otherwise flood the log with it.
final class LogThrottle: Sendable {
    private struct Entry {
        var lastLogged: ContinuousClock.Instant
        var heldBack: Int
    }

    private let interval: Duration
    /// At most this many distinct messages are remembered; older ones are forgotten first.
    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(interval: Duration = .seconds(60), capacity: Int = 64) {
        self.interval = interval
        self.capacity = capacity
    }

    /// The line to log for `message` now, or `nil` when it is held back.
    func admit(_ message: String, now: ContinuousClock.Instant = .now) -> String? {
        entries.withLock { entries in
            if var entry = entries[message], now - entry.lastLogged < interval {
                entry.heldBack += 1
                entries[message] = entry
                return nil
            }
            let heldBack = entries[message]?.heldBack ?? 0
            if entries[message] == nil, entries.count >= capacity {
                entries = entries.filter { now - $0.value.lastLogged < interval }
                if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastLogged < $1.value.lastLogged }) {
                    entries[oldest.key] = nil
                }
            }
            entries[message] = Entry(lastLogged: now, heldBack: 0)
            return heldBack == 0 ? message : "\(message) (\(heldBack) more like it since it was last logged)"
        }
    }
}
