import CLibPQ

/// libpq's notice receiver for one connection: turns each notice into a ``PostgresNotice``, scrubbed of the
/// connection's secrets, for the pool's handler (or drops it). Immutable, so libpq may call it from any thread.
final class NoticeReceiver: Sendable {
    private let settings: ConnectionSettings
    private let handler: (@Sendable (PostgresNotice) -> Void)?

    init(settings: ConnectionSettings, handler: (@Sendable (PostgresNotice) -> Void)?) {
        self.settings = settings
        self.handler = handler
    }

    /// The C entry point: `argument` is an unretained ``NoticeReceiver``.
    static let receive: PQnoticeReceiver = { argument, result in
        guard let argument, let result else { return }
        let receiver = Unmanaged<NoticeReceiver>.fromOpaque(argument).takeUnretainedValue()
        guard let handler = receiver.handler else { return }
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let message = receiver.settings.loggable(field("M") ?? "")
        handler(PostgresNotice(severity: field("V") ?? field("S") ?? "NOTICE", message: message, sqlState: field("C")))
    }
}
