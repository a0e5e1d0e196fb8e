internal import CMicroHTTPD

extension ServerContext {
    /// Builds the request, applies the client-certificate policy, calls the handler and queues its
    /// response, or suspends the connection for a deferred one. Called on the final access-handler call of a
    /// request.
    func answer(
        connection: OpaquePointer,
        method: UnsafePointer<CChar>?,
        url: UnsafePointer<CChar>?,
        context: RequestContext
    ) -> MHD_Result {
        var verified: Bool? = nil
        if let clientAuth {
            let status = Self.clientCertificateStatus(of: connection)
            guard clientAuth.admits(status) else {
                let reason = status == .absent ? "client certificate required\n" : "client certificate not verified\n"
                return queue(.text(status: 403, reason), on: connection)
            }
            verified = status == .verified
        }
        let request = HTTPRequest(
            method: method.map { String(cString: $0) } ?? "",
            path: url.map { String(cString: $0) } ?? "",
            query: context.query,
            headers: Self.headers(of: connection),
            remoteAddress: Self.remoteAddress(of: connection),
            clientCertificateVerified: verified
        )
        let response = handler.respond(to: request)
        if let work = response.work {
            let what = "\(request.method) \(request.path)"
            return suspend(connection, context: context) { [self] in checked(work(), for: what) }
        }
        return queue(checked(response, for: "\(request.method) \(request.path)"), on: connection)
    }

    /// `response`, or a 500 when the handler made one that cannot be sent.
    private func checked(_ response: HTTPResponse, for request: @autoclosure () -> String) -> HTTPResponse {
        if response.work != nil {
            log("handler deferred a response from deferred work for \(request()); answering 500")
        } else if !(100...999).contains(response.status) {
            log("handler returned invalid status \(response.status) for \(request()); answering 500")
        } else {
            return response
        }
        return .text(status: 500, "internal server error\n")
    }

    /// Hands `response` to libmicrohttpd without copying its body: the MHD response holds a retain
    /// on the body, released by `mhdReleaseBody` when libmicrohttpd destroys the response.
    func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let body = response.body
        let retained = Unmanaged.passRetained(body)
        guard
            let mhdResponse = MHD_create_response_from_buffer_with_free_callback_cls(
                body.count, body.baseAddress, mhdReleaseBody, retained.toOpaque()
            )
        else {
            retained.release()
            log("cannot create a response (out of memory?)")
            return .NO
        }
        defer { MHD_destroy_response(mhdResponse) }
        for header in response.headers where !Self.isManagedByServer(header.name) {
            if MHD_add_response_header(mhdResponse, header.name, header.value) != .YES {
                log("dropping invalid response header \(header.name)")
            }
        }
        for header in headers where MHD_get_response_header(mhdResponse, header.name) == nil {
            _ = MHD_add_response_header(mhdResponse, header.name, header.value)
        }
        if retiring.load(ordering: .relaxed) {
            _ = MHD_add_response_header(mhdResponse, "Connection", "close")
        }
        let queued = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
        if queued == .YES {
            responses.record(response.status)
        } else {
            log("cannot queue a \(response.status) response; closing the connection")
        }
        return queued
    }

    /// Header fields libmicrohttpd computes itself.
    private static func isManagedByServer(_ name: String) -> Bool {
        let lowercased = name.lowercased()
        return lowercased == "content-length" || lowercased == "transfer-encoding"
    }
}
