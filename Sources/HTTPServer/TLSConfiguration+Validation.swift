internal import CMicroHTTPD

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
        // libmicrohttpd starts with a client CA file holding no certificate (a key named by mistake) and then
        // refuses every client: checked here, at start-up and at every reload.
        try checkMaterial()
    }
}

extension TLSConfiguration {
    /// Throws `invalidConfiguration` when the certificate and key do not load, or do not match, or the client CA does
    /// not load, as a daemon starting with them would find: a look at files before serving with them.
    public func checkMaterial() throws(HTTPServerError) {
        var message = [CChar](repeating: 0, count: 512)
        let rc = chx_tls_check(certificatePEM, privateKeyPEM, clientCAPEM, &message, message.count)
        guard rc == 0 else {
            throw .invalidConfiguration(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }
}
