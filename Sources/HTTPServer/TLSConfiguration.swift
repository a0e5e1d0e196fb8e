/// TLS for an `HTTPServer`, modelled on the Prometheus exporter-toolkit web configuration.
public struct TLSConfiguration: Sendable, Equatable {
    /// The server certificate (chain), PEM.
    public var certificatePEM: String
    /// The server's private key, PEM, unencrypted.
    public var privateKeyPEM: String
    /// CA certificates, PEM, that client certificates are verified against.
    public var clientCAPEM: String?
    /// Whether and how clients must present certificates.
    public var clientAuth: ClientAuth
    /// The oldest TLS version accepted.
    public var minimumVersion: Version

    /// Creates a TLS configuration.
    public init(
        certificatePEM: String,
        privateKeyPEM: String,
        clientCAPEM: String? = nil,
        clientAuth: ClientAuth = .none,
        minimumVersion: Version = .tls12
    ) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        self.clientCAPEM = clientCAPEM
        self.clientAuth = clientAuth
        self.minimumVersion = minimumVersion
    }
}
