/// How ``WebHandler`` decides whether a request's `Authorization` header lets it in.
///
/// Verifying a password is slow on purpose (bcrypt: tens of milliseconds), and the HTTP threads answer every
/// connection: what can be decided at once is, on the HTTP thread; the rest is verified off it
/// (`HTTPResponse.deferred`), so that a client sending wrong passwords never holds up a scrape.
public struct Authorizer: Sendable {
    /// The decision when it needs no slow work (credentials verified before, a missing or malformed header);
    /// nil when only `verify` can tell.
    let decideQuickly: @Sendable (_ authorizationHeader: String?) -> Bool?
    /// The decision, however long it takes.
    let verify: @Sendable (_ authorizationHeader: String?) -> Bool

    public init(
        decideQuickly: @escaping @Sendable (_ authorizationHeader: String?) -> Bool?,
        verify: @escaping @Sendable (_ authorizationHeader: String?) -> Bool
    ) {
        self.decideQuickly = decideQuickly
        self.verify = verify
    }
}
