internal import CMicroHTTPD
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

extension ServerContext {
    /// Suspends `connection` and runs `work` on the worker thread; when it is done, the connection is resumed and
    /// libmicrohttpd calls the access handler again, which sends the response left in `context`.
    func suspend(
        _ connection: OpaquePointer,
        context: RequestContext,
        work: @escaping @Sendable () -> HTTPResponse
    ) -> MHD_Result {
        // Counted before the check, as resumeSuspended() sets the flag before it reads the count: either it sees
        // this connection counted, or this sees the flag and answers without suspending.
        suspended.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if stopping.load(ordering: .sequentiallyConsistent) {
            suspended.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            return queue(.text(status: 503, "the server is stopping\n"), on: connection)
        }
        let deferred = DeferredResponse()
        context.deferred = deferred
        MHD_suspend_connection(connection)
        let suspendedConnection = SuspendedConnection(connection)
        worker.async { [self] in
            deferred.fill(
                stopping.load(ordering: .sequentiallyConsistent)
                    ? .text(status: 503, "the server is stopping\n")
                    : work())
            MHD_resume_connection(suspendedConnection.connection)
            suspended.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        }
        return .YES
    }

    /// Lets the deferred work in progress finish, answers the rest 503 and waits until every suspended connection
    /// is resumed: libmicrohttpd must not stop with a connection suspended. Call before stopping the daemon.
    func resumeSuspended() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        while suspended.load(ordering: .sequentiallyConsistent) > 0 {
            usleep(1_000)
        }
    }
}

/// A suspended connection, handed to the worker thread to resume it (libmicrohttpd allows that from any thread).
private struct SuspendedConnection: @unchecked Sendable {
    let connection: OpaquePointer

    init(_ connection: OpaquePointer) {
        self.connection = connection
    }
}
