extension TLSConfiguration {
    /// A minimum TLS protocol version. Raw values are exporter-toolkit's `min_version` names.
    public enum Version: String, Sendable, CaseIterable {
        /// TLS 1.2 and 1.3.
        case tls12 = "TLS12"
        /// TLS 1.3 only.
        case tls13 = "TLS13"

        /// The GnuTLS priority string allowing this version and newer. Under TLS 1.2, forward-secret key exchange
        /// (ECDHE) with AEAD ciphers (AES-GCM, ChaCha20-Poly1305) only, as Mozilla's "intermediate" profile: GnuTLS's
        /// NORMAL also offers static RSA key exchange (which Go's crypto/tls, and so exporter-toolkit, no longer
        /// offers by default since Go 1.22), finite-field DHE (which Go never offered) and CBC ciphers. Prometheus
        /// and every current client speak these.
        var gnutlsPriorities: String {
            let ciphers = "-RSA:-DHE-RSA:-DHE-DSS:-CIPHER-ALL:+CHACHA20-POLY1305:+AES-256-GCM:+AES-128-GCM"
            return switch self {
            case .tls12: "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:" + ciphers
            case .tls13: "NORMAL:-VERS-ALL:+VERS-TLS1.3:" + ciphers
            }
        }
    }
}
