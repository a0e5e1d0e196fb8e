/// What a backfill run does.
public struct BackfillOptions: Sendable, Hashable {
    /// Candidate pairs per statement; each batch is one short transaction of its own.
    public var batchSize: Int = 500
    /// At most this many rooms made live by this run (created, plus restored with ``restoreDeleted``); nil for no limit.
    public var limit: Int?
    /// Only list what a run would do; nothing is written (run it on a read-only session).
    public var dryRun: Bool = false
    /// Undelete the soft-deleted rooms of pairs that still have an active booking and no live room.
    public var restoreDeleted: Bool = false
    /// Count pairs blocked by a soft-deleted room as done for the exit status (they are reported all the same):
    /// for scheduled runs, where such a pair waits for a person's decision, which no later run changes.
    public var allowBlocked: Bool = false
    /// The server-side timeout of each statement.
    public var statementTimeout: Duration = .seconds(60)
    /// How long a batch waits for a lock held by another transaction before it gives up: far below PostgreSQL's
    /// `deadlock_timeout` (1 s by default), so that in a lock cycle with the platform's own transaction the batch is
    /// the one to give way (``Backfill`` then makes its pairs one at a time).
    public var batchLockTimeout: Duration = .milliseconds(50)
    /// The session's lock timeout (`--database.lock-timeout`; zero: none). A pair made on its own waits at most this,
    /// and never more than half the statement timeout (``pairLockTimeout``).
    public var lockTimeout: Duration = .seconds(5)
    /// How long a pair made on its own waits for a lock before it is set aside: a lock wait, not the statement
    /// timeout, must end it, even with `--database.lock-timeout 0s` (no limit).
    public var pairLockTimeout: Duration {
        let cap = statementTimeout / 2
        return lockTimeout > .zero ? min(lockTimeout, cap) : cap
    }
    /// Pairs set aside one after another, with nothing made between, after which the run stops creating: so many
    /// held rooms at once mean a lock on the whole table (`CREATE INDEX` without `CONCURRENTLY`, `LOCK TABLE`), which
    /// every later pair would wait out too.
    public var setAsideInARowLimit: Int = 3
    /// How often a batch of restorations that lost a deadlock, a serialization conflict or its lock wait is tried again.
    public var maxRetries: Int = 5
    /// How many pairs a dry run lists at most (the counts are always complete).
    public var listLimit: Int = 10_000

    public init() {}

    /// A reason these options cannot run, or nil.
    public var problem: String? {
        if batchSize < 1 { return "--batch-size must be at least 1 (got \(batchSize))" }
        if batchSize > 100_000 { return "--batch-size must be at most 100000 (got \(batchSize)): keep each transaction short" }
        if let limit, limit < 1 { return "--limit must be at least 1 (got \(limit))" }
        // PostgreSQL's statement_timeout takes whole milliseconds up to 2^31 - 1 (about 24.8 days), and 0 would
        // mean no timeout at all: a batch must never hold its locks that long.
        if statementTimeout < .milliseconds(1) || statementTimeout > .milliseconds(Int32.max) {
            let (seconds, attoseconds) = statementTimeout.components
            return "--statement-timeout must be from 1ms to 24d (got \(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms)"
        }
        if maxRetries < 0 { return "the retry count must not be negative" }
        return nil
    }
}
