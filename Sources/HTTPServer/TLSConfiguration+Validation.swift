extension TLSConfiguration {
    /// Throws when the settings cannot work together.
    func validate() throws(HTTPServerError) {
        guard !certificatePEM.isEmpty, !privateKeyPEM.isEmpty else {
            throw .invalidConfiguration("TLS needs both a certificate and a private key")
        }
        if clientAuth == .none, clientCAPEM != nil {
            throw .invalidConfiguration("a client CA is configured but client authentication is NoClientCert")
        }
        if clientAuth.needsClientCA, (clientCAPEM ?? "").isEmpty {
            throw .invalidConfiguration("client authentication \(clientAuth.rawValue) needs a client CA")
        }
    }
}
