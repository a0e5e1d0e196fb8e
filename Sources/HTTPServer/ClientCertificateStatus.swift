/// What the server knows about a connection's client certificate.
enum ClientCertificateStatus: Sendable {
    /// Plain HTTP.
    case notTLS
    /// No certificate was sent.
    case absent
    /// A certificate was sent but does not verify against the client CA.
    case unverified
    /// A certificate was sent and verifies against the client CA.
    case verified
}
