extension TLSConfiguration {
    /// A minimum TLS protocol version. Raw values are exporter-toolkit's `min_version` names.
    public enum Version: String, Sendable, CaseIterable {
        /// TLS 1.2 and 1.3.
        case tls12 = "TLS12"
        /// TLS 1.3 only.
        case tls13 = "TLS13"

        /// The GnuTLS priority string allowing this version and newer.
        var gnutlsPriorities: String {
            switch self {
            case .tls12: "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
            case .tls13: "NORMAL:-VERS-ALL:+VERS-TLS1.3"
            }
        }
    }
}
