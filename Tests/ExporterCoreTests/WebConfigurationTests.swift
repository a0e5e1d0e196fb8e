import PasswordHash
import Testing
import WebConfig

/// What a web configuration warns about without refusing it.
struct WebConfigurationTests {
    /// Users of different costs are a warning: an unknown user is verified against the costliest hash
    /// (BasicAuthenticatorTests), so a wrong password for the cheaper one is still answered sooner than one for a user
    /// who does not exist. One cost for all, or one user, says nothing.
    @Test func usersOfDifferentCostsAreAWarningThatNamesThem() throws {
        let cheap = try #require(PasswordHash.bcrypt("a", cost: 4))
        let dear = try #require(PasswordHash.bcrypt("b", cost: 6))
        let alsoCheap = try #require(PasswordHash.bcrypt("c", cost: 4))
        let mixed = WebConfiguration(basicAuthUsers: ["alice": cheap, "bob": dear, "carol": alsoCheap])
        #expect(mixed.warnings.count == 1)
        #expect(mixed.warnings.first?.contains("the bcrypt costs differ (alice, carol: 4; bob: 6)") == true, "\(mixed.warnings)")
        #expect(WebConfiguration(basicAuthUsers: ["alice": cheap, "carol": alsoCheap]).warnings.isEmpty)
        #expect(WebConfiguration(basicAuthUsers: ["bob": dear]).warnings.isEmpty)
        #expect(WebConfiguration().warnings.isEmpty)
    }
}
