import CCrypt

/// Password hashes as the system's crypt(3) (libxcrypt) understands them: bcrypt (`$2y$`, `$2b$`, `$2a$`), the
/// hashes `htpasswd -B` and Python's bcrypt write, which is what exporter-toolkit's `basic_auth_users` holds.
public enum PasswordHash {
    /// Whether `hash` is a bcrypt hash the system can verify.
    public static func isSupportedBcrypt(_ hash: String) -> Bool {
        guard ["$2y$", "$2b$", "$2a$"].contains(where: hash.hasPrefix), hash.utf8.count == 60 else { return false }
        return CRYPT_SALT_OK == crypt_checksalt(hash)
    }

    /// Verifies `password` against `hash` in constant time with respect to the compared bytes.
    public static func verify(_ password: String, against hash: String) -> Bool {
        guard isSupportedBcrypt(hash) else { return false }
        var data = crypt_data()
        let computed: String? = withUnsafeMutablePointer(to: &data) { pointer in
            crypt_r(password, hash, pointer).map { String(cString: $0) }
        }
        guard let computed else { return false }
        return constantTimeEqual(Array(computed.utf8), Array(hash.utf8))
    }

    /// A new bcrypt (`$2b$`) hash of `password` with a random salt, or nil if the system cannot make one.
    public static func bcrypt(_ password: String, cost: Int = 10) -> String? {
        var salt = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        guard crypt_gensalt_rn("$2b$", UInt(cost), nil, 0, &salt, Int32(salt.count)) != nil else { return nil }
        var data = crypt_data()
        return withUnsafeMutablePointer(to: &data) { pointer in
            crypt_r(password, salt, pointer).map { String(cString: $0) }
        }
    }

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
