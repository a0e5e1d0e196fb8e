internal import CMicroHTTPD
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

extension ServerContext {
    /// Deferred responses waiting for their work in the server (every listener's), at most: beyond, a request is
    /// answered 503 at once (with `Retry-After`), so that a flood of slow work (wrong passwords) makes nobody wait for
    /// more than this many pieces of it, and holds no more connections.
    static let deferredLimit = 16
    /// Deferred responses one client address may have waiting: beyond, 429 at once. Without it, one client sending
    /// wrong passwords on 17 connections kept all 16 places taken, and a scraper whose credentials were not yet
    /// verified (after a restart, or a new password) only ever got 503.
    static let deferredLimitPerClient = 2

    /// Suspends `connection` and runs `work` on the worker thread; when it is done, the connection is resumed and
    /// libmicrohttpd calls the access handler again, which sends the response left in the suspension.
    func suspend(
        _ connection: OpaquePointer,
        context: RequestContext,
        work: @escaping @Sendable () -> HTTPResponse
    ) -> MHD_Result {
        if stopping.load(ordering: .sequentiallyConsistent) {
            return queue(Self.stoppingResponse, on: connection)
        }
        let client = Self.remoteAddress(of: connection).map(Self.host(of:))
        switch deferred.places.withLock({ $0.take(client: client, limit: Self.deferredLimit, perClient: Self.deferredLimitPerClient) }) {
        case .clientFull:
            return queue(.text(status: 429, "too many requests from this address are waiting to be verified; retry shortly\n",
                               headers: [HTTPHeader(name: "Retry-After", value: "1")]), on: connection)
        case .full:
            return queue(.text(status: 503, "too many requests are waiting to be verified; retry shortly\n",
                               headers: [HTTPHeader(name: "Retry-After", value: "1")]), on: connection)
        case .taken:
            break
        }
        // The place is given back by whoever answers the suspension (finish), exactly once.
        let suspension = Suspension(connection, client: client)
        context.suspension = suspension
        deferredInFlight.wrappingAdd(1, ordering: .relaxed)
        MHD_suspend_connection(connection)
        suspensions.withLock { $0[ObjectIdentifier(suspension)] = suspension }
        // resumeSuspended() sets the flag before it looks at the registry: either it saw this suspension there, or
        // this sees the flag (and then answers itself, whoever comes first).
        if stopping.load(ordering: .sequentiallyConsistent) {
            finish(suspension, with: Self.stoppingResponse)
            return .YES
        }
        deferred.worker.async { [self] in
            guard !suspension.isClaimed else { return }  // a stopping daemon answered it meanwhile
            finish(suspension, with: stopping.load(ordering: .sequentiallyConsistent) ? Self.stoppingResponse : work())
        }
        return .YES
    }

    /// `host:port` or `[host]:port` without the port.
    static func host(of address: String) -> String {
        guard let colon = address.lastIndex(of: ":") else { return address }
        return String(address[..<colon])
    }

    /// Answers the deferred requests at once with a 503, without waiting for their work (whose result is then
    /// dropped), waits until no connection is suspended (libmicrohttpd must not stop with one) and gives the
    /// daemon up to a second to send those answers. Call before stopping the daemon.
    func resumeSuspended() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        for suspension in suspensions.withLock({ Array($0.values) }) {
            finish(suspension, with: Self.stoppingResponse)
        }
        // A suspension claimed by the worker just before is resumed and unregistered within microseconds.
        while !suspensions.withLock({ $0.isEmpty }) {
            usleep(1_000)
        }
        let deadline = ContinuousClock.now + .seconds(1)
        while deferredInFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            usleep(1_000)
        }
    }

    /// Resumes `suspension` with `response` unless someone else did, then forgets it.
    private func finish(_ suspension: Suspension, with response: HTTPResponse) {
        guard suspension.resume(with: response) else { return }
        suspensions.withLock { $0[ObjectIdentifier(suspension)] = nil }
        deferred.places.withLock { $0.giveBack(client: suspension.client) }
    }

    private static let stoppingResponse = HTTPResponse.text(status: 503, "the server is stopping\n")
}
