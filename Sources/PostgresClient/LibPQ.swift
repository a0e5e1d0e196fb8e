import CLibPQ
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few libpq helpers that need C types; nothing here leaves the module.
enum LibPQ {
    /// What a connection attempt its caller cancelled throws.
    static let connectCancelled = PostgresError(kind: .cancelled, message: "connection attempt cancelled")

    /// Starts a connection with `PQconnectStartParams` and drives `PQconnectPoll` until it is made or the deadline passes.
    /// `notices` receives what the server sends from the start (a collation version mismatch is warned at every
    /// login); the caller keeps it alive as long as the handle.
    static func open(
        settings: ConnectionSettings, session: SessionSettings, notices: NoticeReceiver, deadline: ContinuousClock.Instant,
        isCancelled: () -> Bool
    ) throws -> OpaquePointer {
        var parameters = settings.parameters
        parameters.append(("application_name", session.applicationName))
        parameters.append(("client_encoding", "UTF8"))
        let keywords = parameters.map(\.keyword) as [String?]
        let values = parameters.map(\.value) as [String?]
        let handle: OpaquePointer? = withCStrings(keywords + [nil]) { keywordPointers in
            withCStrings(values + [nil]) { valuePointers in
                PQconnectStartParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else {
            throw PostgresError(kind: .connection, message: "out of memory starting a connection")
        }
        PQsetNoticeReceiver(handle, NoticeReceiver.receive, Unmanaged.passUnretained(notices).toOpaque())
        func failure(_ kind: PostgresError.Kind = .connection) -> PostgresError {
            let message = settings.loggable(String(cString: PQerrorMessage(handle)))
            PQfinish(handle)
            return PostgresError(kind: kind, message: message.isEmpty ? "connection failed" : message)
        }
        if PQstatus(handle) == CONNECTION_BAD { throw failure() }
        var state = PGRES_POLLING_WRITING
        while true {
            switch state {
            case PGRES_POLLING_OK:
                return handle
            case PGRES_POLLING_FAILED:
                throw failure()
            default:
                let now = ContinuousClock.now
                guard now < deadline else {
                    PQfinish(handle)
                    throw PostgresError(kind: .connection, message: "timed out connecting to the database after \(session.connectTimeout)")
                }
                if isCancelled() {
                    PQfinish(handle)
                    throw connectCancelled
                }
                let slice = min(deadline - now, .milliseconds(100))
                let ready = poll(socket: PQsocket(handle), forWriting: state == PGRES_POLLING_WRITING, timeout: slice)
                if ready < 0 { throw failure() }
                if ready == 0 { continue }
                state = PQconnectPoll(handle)
            }
        }
    }

    /// Waits until the socket is readable (or writable). Returns >0 when ready, 0 on timeout, <0 on error.
    static func poll(socket: Int32, forWriting: Bool, timeout: Duration) -> Int32 {
        guard socket >= 0 else { return -1 }
        var descriptor = pollfd(fd: socket, events: Int16(forWriting ? POLLOUT : POLLIN), revents: 0)
        let milliseconds = Int32(clamping: max(0, timeout.wholeMilliseconds))
        while true {
            let result = Glibc.poll(&descriptor, 1, milliseconds)
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }

    /// Copies a libpq result into Swift values. Invalid UTF-8 in a cell is repaired (U+FFFD), never trusted.
    static func queryResult(_ result: OpaquePointer) -> QueryResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [QueryResult.Column] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(QueryResult.Column(name: String(cString: PQfname(result, Int32(column))), typeOID: PQftype(result, Int32(column))))
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var cells: [String?] = []
            cells.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    cells.append(nil)
                } else {
                    let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                    let bytes = UnsafeRawPointer(PQgetvalue(result, Int32(row), Int32(column))!).assumingMemoryBound(to: UInt8.self)
                    cells.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
                }
            }
            rows.append(cells)
        }
        return QueryResult(columns: columns, rows: rows, commandTag: String(cString: PQcmdStatus(result)))
    }

    /// libpq messages span lines ("...failed: Connection refused\n\tIs the server running..."); logs want one,
    /// with single spaces.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// A string libpq returned, "" for NULL.
    static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// Calls `body` with C strings for `strings` (nil stays NULL), valid only during the call.
    static func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } }
        defer { for pointer in owned { free(pointer) } }
        return body(owned.map { $0.map { UnsafePointer($0) } })
    }
}
