internal import CMicroHTTPD
internal import Glibc

// The C callbacks handed to libmicrohttpd. They recover Swift objects from their `cls` pointers:
// the `ServerContext` (unretained; the running daemon keeps it alive), a `RequestContext` (retained
// per request) or an `HTTPBody` (retained per response).

/// MHD_OPTION_URI_LOG_CALLBACK: called once per request with the raw request target. Creates the
/// request's context, which becomes `*con_cls` and is released in `mhdRequestCompleted`.
func mhdRequestStarted(
    _ cls: UnsafeMutableRawPointer?,
    _ uri: UnsafePointer<CChar>?,
    _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
    var query: String? = nil
    if let uri, let questionMark = strchr(uri, Int32(UInt8(ascii: "?"))) {
        query = String(cString: questionMark + 1)
    }
    return makeRequestContext(query: query, server: cls)
}

/// Creates a retained request context and counts it as open on the server behind `server`.
private func makeRequestContext(query: String?, server: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer {
    if let server {
        Unmanaged<ServerContext>.fromOpaque(server).takeUnretainedValue()
            .openRequests.wrappingAdd(1, ordering: .relaxed)
    }
    return Unmanaged.passRetained(RequestContext(query: query)).toOpaque()
}

/// MHD_OPTION_NOTIFY_COMPLETED: releases the request's context.
func mhdRequestCompleted(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ reason: MHD_RequestTerminationCode
) {
    guard let requestState, let pointer = requestState.pointee else { return }
    requestState.pointee = nil
    let request = Unmanaged<RequestContext>.fromOpaque(pointer).takeRetainedValue()
    if let cls {
        let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
        if request.suspension != nil { server.deferredInFlight.wrappingSubtract(1, ordering: .relaxed) }
        server.openRequests.wrappingSubtract(1, ordering: .relaxed)
    }
}

/// The access handler. libmicrohttpd calls it first when the headers are in. A request that declares a body, or
/// whose method is not GET or HEAD, is answered then, before its body is read (no route reads one): libmicrohttpd
/// closes the connection after such an early answer instead of reading the body, so a client that declares a large
/// body, or sends `Expect: 100-continue`, cannot hold a connection while it trickles the body in. A GET or HEAD
/// without a body is answered on the second call, which follows at once, because an early answer would also close
/// a keep-alive connection. Calls with body chunks are discarded; the one after a suspension queues the deferred
/// response.
func mhdAccessHandler(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?,
    _ version: UnsafePointer<CChar>?,
    _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?,
    _ requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let uploadDataSize, let requestState else { return .NO }
    // The URI log callback always runs first; without a context, create one now.
    if requestState.pointee == nil {
        requestState.pointee = makeRequestContext(query: nil, server: cls)
    }
    let request = Unmanaged<RequestContext>.fromOpaque(requestState.pointee!).takeUnretainedValue()
    let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    if !request.headersReceived {
        request.headersReceived = true
        if hasConflictingContentLengths(connection) {
            // Two lengths: where this request ends depends on which one a proxy in front believed (request
            // smuggling). RFC 9112 §6.3: an error, and the connection closed, its remaining bytes never parsed.
            request.answered = true
            return server.queue(.text(status: 400, "conflicting Content-Length headers\n",
                                      headers: [HTTPHeader(name: "Connection", value: "close")]), on: connection)
        }
        guard answersEarly(connection, method: method) else { return .YES }
        request.answered = true
        return server.answer(connection: connection, method: method, url: url, context: request)
    }
    if uploadDataSize.pointee != 0 {
        uploadDataSize.pointee = 0
        return .YES
    }
    // Called again after a suspension for deferred work: the response was left in it.
    if let suspension = request.suspension {
        guard let response = suspension.takeResponse() else { return .NO }
        return server.queue(response, on: connection)
    }
    if request.answered { return .YES }
    request.answered = true
    return server.answer(connection: connection, method: method, url: url, context: request)
}

/// Whether the request carries Content-Length fields with different values (repeated identical ones are allowed).
/// The whole header list is read only for a request that has a Content-Length at all (a scrape has none).
private func hasConflictingContentLengths(_ connection: OpaquePointer) -> Bool {
    guard MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length") != nil,
          let joined = ServerContext.headers(of: connection)["content-length"], joined.contains(",") else { return false }
    let values = Set(joined.split(separator: ",").map { $0.filter { $0 != " " && $0 != "\t" } })
    return values.count > 1
}

/// Whether a request is answered as soon as its headers are in: any method but GET and HEAD, and any request that
/// declares a body (`Content-Length` other than 0, or `Transfer-Encoding`).
private func answersEarly(_ connection: OpaquePointer, method: UnsafePointer<CChar>?) -> Bool {
    guard let method, strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 else { return true }
    if MHD_lookup_connection_value(connection, .HEADER_KIND, "Transfer-Encoding") != nil { return true }
    guard let length = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length") else { return false }
    return strcmp(length, "0") != 0
}

/// MHD_get_connection_values iterator: adds one header to the `[String: String]` behind `cls`.
func mhdCollectHeader(
    _ cls: UnsafeMutableRawPointer?,
    _ kind: MHD_ValueKind,
    _ key: UnsafePointer<CChar>?,
    _ value: UnsafePointer<CChar>?
) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let headers = cls.assumingMemoryBound(to: [String: String].self)
    let name = String(cString: key).lowercased()
    let value = value.map { String(cString: $0) } ?? ""
    if let existing = headers.pointee[name] {
        headers.pointee[name] = existing + ", " + value
    } else {
        headers.pointee[name] = value
    }
    return .YES
}

/// The response free callback: libmicrohttpd is done with the body's bytes.
func mhdReleaseBody(_ cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    Unmanaged<HTTPBody>.fromOpaque(cls).release()
}

/// The external logger (formatted by the shim).
func mhdLog(_ cls: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {
    guard let cls, let message else { return }
    Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue().libraryLogged(String(cString: message))
}

/// The shim closed `count` connections that sent no complete request within the connection timeout (from its reaper
/// thread, never after the daemon stopped).
func mhdClosedWithoutRequest(_ cls: UnsafeMutableRawPointer?, _ count: UInt32) {
    guard let cls else { return }
    let context = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    context.responses.recordClosedWithoutRequest(Int(count))
    context.libraryLogged("closed connections that sent no complete request within the connection timeout")
}
