extension TLSConfiguration {
    /// The client-certificate policy. Raw values are Go's `crypto/tls` `ClientAuthType` names, as
    /// used by `client_auth_type` in exporter-toolkit web configuration files.
    public enum ClientAuth: String, Sendable, CaseIterable {
        /// No client certificate is requested (`NoClientCert`).
        case none = "NoClientCert"
        /// A certificate is requested but not required (`RequestClientCert`).
        case request = "RequestClientCert"
        /// A certificate is required, but need not verify (`RequireAnyClientCert`).
        case requireAny = "RequireAnyClientCert"
        /// A certificate is optional, but one that is sent must verify (`VerifyClientCertIfGiven`).
        case verifyIfGiven = "VerifyClientCertIfGiven"
        /// A certificate is required and must verify (`RequireAndVerifyClientCert`).
        case requireAndVerify = "RequireAndVerifyClientCert"

        /// Whether a request may be answered given its client certificate status.
        func admits(_ status: ClientCertificateStatus) -> Bool {
            switch self {
            case .none, .request: true
            case .requireAny: status != .absent
            case .verifyIfGiven: status != .unverified
            case .requireAndVerify: status == .verified
            }
        }

        /// Whether verification needs a client CA.
        var needsClientCA: Bool {
            self == .verifyIfGiven || self == .requireAndVerify
        }

        /// Whether the handshake must fail without a certificate.
        var requiresCertificate: Bool {
            self == .requireAny || self == .requireAndVerify
        }
    }
}
