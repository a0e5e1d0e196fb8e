import FoundationEssentials
import PasswordHash
import Synchronization

/// Checks `Authorization: Basic …` against the bcrypt hashes of `basic_auth_users`.
///
/// bcrypt is slow on purpose (tens of milliseconds), so a verified user/password pair is remembered — as a
/// 64-bit keyed hash with this process's random seed, never the password itself — and the next scrape with the
/// same credentials costs nothing. An unknown user costs one bcrypt too, so timing does not reveal which users exist.
public final class BasicAuthenticator: Sendable {
    private let users: [String: String]
    private let verified = Mutex<Set<Int>>([])
    private static let cacheLimit = 1024
    /// A bcrypt hash of a random string, verified against for unknown users.
    private static let decoy = PasswordHash.bcrypt(UUID().uuidString) ?? ""

    public init(users: [String: String]) {
        self.users = users
    }

    /// ``authorize(authorizationHeader:)``'s answer when it needs no bcrypt verification: true for credentials
    /// verified before, false without usable credentials (no header, not Basic, not base64 of user:password);
    /// nil when only a verification can tell (an unknown user too, so that timing does not tell users apart).
    public func decisionWithoutVerifying(authorizationHeader: String?) -> Bool? {
        guard let (user, password) = Self.credentials(from: authorizationHeader) else { return false }
        return verified.withLock { $0.contains(Self.key(user, password)) } ? true : nil
    }

    /// Whether the request's `Authorization` header names a configured user with the right password.
    public func authorize(authorizationHeader: String?) -> Bool {
        guard let (user, password) = Self.credentials(from: authorizationHeader) else { return false }
        let key = Self.key(user, password)
        if verified.withLock({ $0.contains(key) }) { return true }
        guard let hash = users[user] else {
            _ = PasswordHash.verify(password, against: Self.decoy)
            return false
        }
        guard PasswordHash.verify(password, against: hash) else { return false }
        verified.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll() }
            cache.insert(key)
        }
        return true
    }

    /// What the cache remembers of verified credentials.
    private static func key(_ user: String, _ password: String) -> Int {
        var hasher = Hasher()
        hasher.combine(user)
        hasher.combine(password)
        return hasher.finalize()
    }

    static func credentials(from header: String?) -> (String, String)? {
        guard let header else { return nil }
        let parts = header.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1])),
              let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":") else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }
}
