import Logging
import PostgresClient

extension Logger {
    /// Where the server's notices go: a WARNING (a server shutting down, a terminated backend) at warn, the rest at
    /// debug, in the log's own format (libpq would print them raw on stderr).
    func noticeHandler() -> @Sendable (PostgresNotice) -> Void {
        let logger = self
        return { notice in
            var metadata: Logger.Metadata = ["severity": "\(notice.severity)", "detail": "\(notice.message)"]
            if let sqlState = notice.sqlState { metadata["sqlstate"] = "\(sqlState)" }
            logger.log(level: notice.isWarning ? .warning : .debug, "database notice", metadata: metadata)
        }
    }

    /// One line when the database stops answering and one when it answers again (the first answer included), beside
    /// each failed run's own line.
    func reachabilityHandler() -> @Sendable (Bool, PostgresError?) -> Void {
        let logger = self
        return { reachable, error in
            if reachable {
                logger.info("database reachable")
            } else {
                var metadata: Logger.Metadata = ["err": "\(error?.message ?? "unknown")"]
                if let sqlState = error?.sqlState { metadata["sqlstate"] = "\(sqlState)" }
                logger.warning("database unreachable", metadata: metadata)
            }
        }
    }
}
