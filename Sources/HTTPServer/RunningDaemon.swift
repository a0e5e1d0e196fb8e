internal import CMicroHTTPD
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A started libmicrohttpd daemon and everything that must outlive it.
final class RunningDaemon: @unchecked Sendable {
    // @unchecked: the pointers are only used to stop the daemon (once, by `HTTPServer.stop()`),
    // and libmicrohttpd's daemon handle may be used from any thread.
    private let daemon: OpaquePointer
    private let logger: UnsafeMutablePointer<chx_mhd_logger>
    private let strings: CStringStore
    /// Kept alive until the daemon has stopped; C holds unretained pointers to it.
    private let context: ServerContext
    /// The port the daemon is bound to.
    let port: Int
    /// Requests whose per-request state has not been released yet.
    var openRequests: Int { context.openRequests.load(ordering: .relaxed) }
    /// Where it listens, as written in messages (`127.0.0.1:9488`, `[::]:9488 (file descriptor 3)` for a handed socket).
    let address: String
    /// Whether it serves (a copy of) a socket the process was handed, which must go on listening after it stops.
    private let servesHandedSocket: Bool
    /// The listening socket libmicrohttpd gave back when quiesced (nil until then, -1 when it had none): the
    /// caller's to close, once, after the daemon stopped. Quiesced again, 0.9.75 gives the same number back.
    private let quiescedSocket = Mutex<Int32?>(nil)

    private init(
        daemon: OpaquePointer,
        logger: UnsafeMutablePointer<chx_mhd_logger>,
        strings: CStringStore,
        context: ServerContext,
        port: Int,
        address: String,
        servesHandedSocket: Bool
    ) {
        self.daemon = daemon
        self.logger = logger
        self.strings = strings
        self.context = context
        self.port = port
        self.address = address
        self.servesHandedSocket = servesHandedSocket
    }

    /// Starts a daemon for `configuration` whose callbacks use `context`, listening on `listener`: bound to its
    /// address, or on a copy of the socket the process was handed.
    static func start(
        configuration: HTTPServerConfiguration,
        context: ServerContext,
        listener: HTTPListener
    ) throws(HTTPServerError) -> RunningDaemon {
        switch listener {
        case .address(let host, let port):
            return try start(
                configuration: configuration, context: context, host: HTTPListener.bare(host), port: port,
                listenSocket: nil, servesHandedSocket: false, shownAddress: nil)
        case .socket(let handed):
            return try start(
                configuration: configuration, context: context, copying: handed, servesHandedSocket: true,
                address: listener.displayAddress())
        }
    }

    /// Starts a daemon bound to `host` and `port`, or on `listenSocket` when given (a listening socket; the daemon
    /// closes it when it stops). `shownAddress` names it in messages (nil: `host` and the bound port).
    private static func start(
        configuration: HTTPServerConfiguration,
        context: ServerContext,
        host: String,
        port: Int,
        listenSocket: Int32?,
        servesHandedSocket: Bool,
        shownAddress: String?
    ) throws(HTTPServerError) -> RunningDaemon {
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        let strings = CStringStore()
        let logger = UnsafeMutablePointer<chx_mhd_logger>.allocate(capacity: 1)
        logger.initialize(to: chx_mhd_logger(fn: mhdLog, cls: contextPointer))

        var options = chx_mhd_options()
        options.host = strings.add(host)
        options.port = UInt16(port)
        if let listenSocket {
            options.listen_socket_given = 1
            options.listen_socket = listenSocket
        }
        options.thread_count = UInt32(configuration.threadCount)
        options.connection_limit = UInt32(clamping: configuration.connectionLimit)
        options.per_address_connection_limit = UInt32(clamping: configuration.perAddressConnectionLimit)
        options.connection_timeout = configuration.connectionTimeoutSeconds
        options.connection_memory_limit = configuration.connectionMemoryLimit
        options.logger = UnsafePointer(logger)
        options.access_handler = mhdAccessHandler
        options.access_handler_cls = contextPointer
        options.request_completed = mhdRequestCompleted
        options.request_completed_cls = contextPointer
        options.uri_logger = mhdRequestStarted
        options.uri_logger_cls = contextPointer
        options.closed_without_request = mhdClosedWithoutRequest
        options.closed_without_request_cls = contextPointer
        if let tls = configuration.tls {
            options.tls_certificate = strings.add(tls.certificatePEM)
            options.tls_private_key = strings.add(tls.privateKeyPEM)
            options.tls_priorities = strings.add(tls.minimumVersion.gnutlsPriorities)
            if let clientCA = tls.clientCAPEM {
                options.tls_client_ca = strings.add(clientCA)
            }
            options.tls_client_cert_request =
                switch tls.clientAuth {
                case .none: CHX_CLIENT_CERT_IGNORE
                case .request, .verifyIfGiven: CHX_CLIENT_CERT_REQUEST
                case .requireAny, .requireAndVerify: CHX_CLIENT_CERT_REQUIRE
                }
        }

        context.beginStartup()
        let errorCapacity = 256
        let (started, shimError): (OpaquePointer?, String) =
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: errorCapacity) { buffer in
                let daemon = chx_mhd_start(&options, buffer.baseAddress!, errorCapacity)
                return (daemon, String(cString: buffer.baseAddress!))
            }
        let messages = context.endStartup()

        guard let started else {
            logger.deinitialize(count: 1)
            logger.deallocate()
            strings.freeAll()
            throw failure(
                address: shownAddress ?? HTTPListener.address(host: host, port: port).displayAddress(),
                shimError: shimError,
                messages: messages
            )
        }
        // libmicrohttpd reports the configured port for a socket it was handed: the socket itself says.
        let boundPort = HTTPListener.localAddress(of: chx_mhd_listen_socket(started))?.port
            ?? Int(chx_mhd_bound_port(started))
        return RunningDaemon(
            daemon: started,
            logger: logger,
            strings: strings,
            context: context,
            port: boundPort,
            address: shownAddress ?? HTTPListener.address(host: host, port: boundPort).displayAddress(),
            servesHandedSocket: servesHandedSocket
        )
    }

    /// Starts a daemon for `configuration` whose callbacks use `context`, listening on a copy of this daemon's
    /// socket: both accept connections until this one is retired. When it does not start, this one is untouched.
    func startSibling(
        configuration: HTTPServerConfiguration,
        context: ServerContext
    ) throws(HTTPServerError) -> RunningDaemon {
        let listening = chx_mhd_listen_socket(daemon)
        guard listening >= 0 else {
            throw .cannotStart(address: address, reason: "libmicrohttpd does not say which socket it listens on")
        }
        do {
            return try RunningDaemon.start(
                configuration: configuration, context: context, copying: listening, servesHandedSocket: servesHandedSocket,
                address: address)
        } catch {
            ensureListening()
            throw error
        }
    }

    /// Starts a daemon on a copy of `listening`, a listening socket that stays open (a running daemon's, or one the
    /// process was handed): libmicrohttpd closes the socket it serves when it stops. `address` names it in errors.
    private static func start(
        configuration: HTTPServerConfiguration,
        context: ServerContext,
        copying listening: Int32,
        servesHandedSocket: Bool,
        address: String
    ) throws(HTTPServerError) -> RunningDaemon {
        var original = stat()
        let copy = fstat(listening, &original) == 0 ? fcntl(listening, F_DUPFD_CLOEXEC, 0) : -1
        guard copy >= 0 else {
            throw .cannotStart(address: address, reason: "cannot copy the listening socket: \(String(cString: strerror(errno)))")
        }
        do {
            return try RunningDaemon.start(
                configuration: configuration, context: context, host: "", port: 0, listenSocket: copy,
                servesHandedSocket: servesHandedSocket, shownAddress: address)
        } catch {
            // libmicrohttpd may have closed the copy on its way out, and the number may be taken again by now:
            // close it only while it is still the listening socket (which the original keeps open).
            var now = stat()
            if fstat(copy, &now) == 0, now.st_dev == original.st_dev, now.st_ino == original.st_ino {
                close(copy)
            }
            throw error
        }
    }

    /// Listens on the daemon's socket again if it stopped listening: a socket shared with a sibling daemon is
    /// shut down for both when libmicrohttpd stops one of them unquiesced (as a start that fails half-way does).
    func ensureListening() {
        let socket = chx_mhd_listen_socket(daemon)
        var accepting: Int32 = 1
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard socket >= 0, getsockopt(socket, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 0 else {
            return
        }
        guard listen(socket, SOMAXCONN) == 0 else {
            context.log("the listening socket had been shut down; cannot listen again")
            return
        }
        // A socket bound to port 0 lost its port with the shutdown, and listen() picks another one.
        let now = HTTPListener.localAddress(of: socket)?.port
        if let now, now != port {
            context.log("the listening socket had been shut down; listening again, but on port \(now) instead of \(port) (a port picked at start, port 0, is not kept)")
        } else {
            context.log("the listening socket had been shut down; listening again")
        }
    }

    /// Stops accepting connections (`sibling` goes on accepting on the same socket), waits up to `grace` for the
    /// requests in flight to be answered, then stops: the connections left (idle keep-alive ones) are closed, and
    /// clients open new ones to the sibling. Until then, a request on one of them is still answered here, with
    /// `Connection: close`.
    func retire(grace: Duration, sibling: RunningDaemon?) {
        context.retiring.store(true, ordering: .relaxed)
        let quiesced = quiesce()
        // Connections accepted just before, still in their TLS handshake or sending their request line, have no
        // request to count yet: give them a moment to get one.
        let settle = ContinuousClock.now + min(grace, .milliseconds(100))
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline,
              ContinuousClock.now < settle || context.openRequests.load(ordering: .relaxed) > 0 {
            usleep(10_000)
        }
        stop()
        if quiesced < 0 {
            sibling?.ensureListening()
        }
    }

    /// Stops accepting connections, once, and returns the listening socket libmicrohttpd leaves to the caller (-1
    /// when it had none); ``stop()`` closes it.
    private func quiesce() -> Int32 {
        quiescedSocket.withLock { socket in
            let given = socket ?? MHD_quiesce_daemon(daemon)
            socket = given
            return given
        }
    }

    /// Stops the daemon: closes the listening socket (unless quiesced) and every connection, waits for the
    /// threads, then frees what the daemon used. Call once.
    func stop() {
        context.resumeSuspended()
        // libmicrohttpd may shut its listening socket down when it stops (with a thread pool), and a shutdown
        // reaches every copy: systemd's own, which must go on listening to start the service again at the next
        // connection. Quiesced first, the socket is left alone, and only this copy is closed.
        if servesHandedSocket { _ = quiesce() }
        chx_mhd_stop(daemon)
        // A quiesced daemon leaves its listening socket to the caller, and only after it stopped.
        if let socket = quiescedSocket.withLock({ $0 }), socket >= 0 {
            close(socket)
        }
        context.stopping.store(false, ordering: .sequentiallyConsistent)  // a stopped server may start again
        logger.deinitialize(count: 1)
        logger.deallocate()
        strings.freeAll()
    }

    /// The error for a failed start, from the shim's message or what libmicrohttpd logged.
    static func failure(address: String, shimError: String, messages: [String]) -> HTTPServerError {
        if !shimError.isEmpty {
            return .cannotListen(address: address, reason: shimError)
        }
        // libmicrohttpd: "Failed to bind to port 9488: Address already in use"
        for message in messages where message.hasPrefix("Failed to bind") {
            if let colon = message.firstIndex(of: ":") {
                let reason = message[message.index(after: colon)...].drop { $0 == " " }
                return .cannotListen(address: address, reason: String(reason))
            }
            return .cannotListen(address: address, reason: message)
        }
        let reason = messages.isEmpty ? "libmicrohttpd could not start the daemon" : messages.joined(separator: "; ")
        return .cannotStart(address: address, reason: reason)
    }
}
