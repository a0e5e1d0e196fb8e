import FoundationEssentials
import PasswordHash
import Testing
@testable import WebConfig

/// Basic authentication against bcrypt hashes: what a client can learn from it, and what it must not accept.
struct BasicAuthenticatorTests {
    private func header(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// crypt(3) ends a password at a NUL: "right\0junk" must not pass as "right" (nor fill the remembered
    /// credentials with variants of it).
    @Test func aPasswordWithANulIsRefused() throws {
        let hash = try #require(PasswordHash.bcrypt("right", cost: 4))
        let authenticator = BasicAuthenticator(users: ["prometheus": hash])
        #expect(authenticator.authorize(authorizationHeader: header("prometheus", "right")))
        #expect(!authenticator.authorize(authorizationHeader: header("prometheus", "right\u{0}junk")))
        #expect(authenticator.decisionWithoutVerifying(authorizationHeader: header("prometheus", "right\u{0}junk")) == false)
    }

    /// An unknown user is verified against the configured hash of the highest cost: as slow as the slowest known
    /// user, so that a name that does not exist is not told apart by a fixed decoy's different cost. Measured as
    /// the cost the verification uses, not as a time.
    @Test func anUnknownUserCostsAsMuchAsTheSlowestKnownOne() throws {
        let cheap = try #require(PasswordHash.bcrypt("a", cost: 4))
        let dear = try #require(PasswordHash.bcrypt("b", cost: 6))
        #expect(BasicAuthenticator.cost(of: cheap) == 4 && BasicAuthenticator.cost(of: dear) == 6)
        let authenticator = BasicAuthenticator(users: ["cheap": cheap, "dear": dear])
        #expect(BasicAuthenticator.cost(of: authenticator.unknownUserHash) == 6)
        #expect(!authenticator.authorize(authorizationHeader: header("nobody", "b")), "the hash's own password never lets an unknown user in")
    }
}
