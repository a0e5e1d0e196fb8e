extension HTTPResponse {
    /// A `text/plain; charset=utf-8` response.
    public static func text(status: Int = 200, _ string: String, headers: [HTTPHeader] = []) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [HTTPHeader(name: "Content-Type", value: "text/plain; charset=utf-8")] + headers,
            body: HTTPBody(string: string)
        )
    }

    /// A response with the given content type and body.
    public static func body(
        status: Int = 200, contentType: String, _ body: HTTPBody, headers: [HTTPHeader] = []
    ) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [HTTPHeader(name: "Content-Type", value: contentType)] + headers,
            body: body
        )
    }

    /// `405 Method Not Allowed` with an `Allow` header listing `allowed`.
    public static func methodNotAllowed(allowed: [String]) -> HTTPResponse {
        .text(
            status: 405,
            "method not allowed\n",
            headers: [HTTPHeader(name: "Allow", value: allowed.joined(separator: ", "))]
        )
    }

    /// `404 Not Found` with a short text body.
    public static var notFound: HTTPResponse {
        .text(status: 404, "not found\n")
    }
}
