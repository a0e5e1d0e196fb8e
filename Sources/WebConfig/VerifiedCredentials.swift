import Synchronization

/// The credentials bcrypt has verified, remembered so that the next request with them costs nothing: each as a
/// 64-bit keyed hash (this process's random seed) of the user, the password and the user's bcrypt hash, never the
/// password itself. One set serves the process across web config reloads: an entry matches only while the user
/// still has the hash it was verified against, so a changed password or a removed user needs a verification again.
public final class VerifiedCredentials: Sendable {
    private let keys = Mutex<Set<Int>>([])
    /// At most this many entries; the set starts again from empty beyond.
    private static let limit = 1024

    public init() {}

    /// Whether `password` was verified for `user` while the user had `hash`.
    func contains(user: String, password: String, hash: String) -> Bool {
        let key = Self.key(user, password, hash)
        return keys.withLock { $0.contains(key) }
    }

    /// Remembers that `password` is right for `user` with `hash`.
    func insert(user: String, password: String, hash: String) {
        let key = Self.key(user, password, hash)
        keys.withLock { keys in
            if keys.count >= Self.limit { keys.removeAll() }
            keys.insert(key)
        }
    }

    private static func key(_ user: String, _ password: String, _ hash: String) -> Int {
        var hasher = Hasher()
        hasher.combine(user)
        hasher.combine(password)
        hasher.combine(hash)
        return hasher.finalize()
    }
}
