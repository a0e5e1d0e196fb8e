import FoundationEssentials
import PasswordHash

/// Checks `Authorization: Basic …` against the bcrypt hashes of `basic_auth_users`.
///
/// bcrypt is slow on purpose (tens of milliseconds), so verified credentials are remembered (``VerifiedCredentials``,
/// which a reload's new authenticator shares) and the next scrape with them costs nothing. An unknown user costs one
/// bcrypt too, so timing does not reveal which users exist.
public final class BasicAuthenticator: Sendable {
    private let users: [String: String]
    private let verified: VerifiedCredentials
    /// What an unknown user's password is verified against: the configured hash of the highest cost, so that an
    /// unknown user takes as long as the slowest known one (a fixed cost-10 decoy told a cost-5 or cost-12 user
    /// apart from a name that does not exist); the decoy only without users.
    let unknownUserHash: String
    /// A bcrypt hash of a random string.
    private static let decoy = PasswordHash.bcrypt(UUID().uuidString) ?? ""

    public init(users: [String: String], verified: VerifiedCredentials = VerifiedCredentials()) {
        self.users = users
        self.verified = verified
        unknownUserHash = users.values.max { Self.cost(of: $0) < Self.cost(of: $1) } ?? Self.decoy
    }

    /// The cost of a `$2b$12$…` hash (0 when it has none).
    static func cost(of hash: String) -> Int {
        let fields = hash.split(separator: "$", omittingEmptySubsequences: true)
        return fields.count >= 2 ? Int(fields[1]) ?? 0 : 0
    }

    /// ``authorize(authorizationHeader:)``'s answer when it needs no bcrypt verification: true for credentials
    /// verified before, false without usable credentials (no header, not Basic, not base64 of user:password);
    /// nil when only a verification can tell (an unknown user too, so that timing does not tell users apart).
    public func decisionWithoutVerifying(authorizationHeader: String?) -> Bool? {
        guard let (user, password) = Self.credentials(from: authorizationHeader) else { return false }
        guard let hash = users[user] else { return nil }
        return verified.contains(user: user, password: password, hash: hash) ? true : nil
    }

    /// Whether the request's `Authorization` header names a configured user with the right password.
    public func authorize(authorizationHeader: String?) -> Bool {
        guard let (user, password) = Self.credentials(from: authorizationHeader) else { return false }
        guard let hash = users[user] else {
            _ = PasswordHash.verify(password, against: unknownUserHash)
            return false
        }
        if verified.contains(user: user, password: password, hash: hash) { return true }
        guard PasswordHash.verify(password, against: hash) else { return false }
        verified.insert(user: user, password: password, hash: hash)
        return true
    }

    static func credentials(from header: String?) -> (String, String)? {
        guard let header else { return nil }
        let parts = header.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1])),
              let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":"),
              // crypt(3) ends a password at a NUL: "secret\0anything" would pass as "secret".
              !decoded.contains("\0") else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }
}
