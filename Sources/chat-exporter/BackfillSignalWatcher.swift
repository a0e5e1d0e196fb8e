import Backfill
import UnixSignals

/// What SIGTERM, SIGINT and SIGHUP (a closed terminal; a reload meant for the exporter, sent by name) do to a running
/// backfill: the first asks it to stop after the batch in flight (which
/// commits; the run then counts what is left and prints its summary), the next cancels the statement in flight (it
/// rolls back). A dry run only reads, so the first signal cancels it at once.
struct BackfillSignalWatcher: Sendable {
    let stop: BackfillStop
    let work: Task<Result<BackfillSummary, BackfillError>, Never>
    let cancelAtOnce: Bool
    let progress: ProgressReporter

    /// Handles `signals` until the task running this is cancelled.
    func watch(_ signals: UnixSignalsSequence) async {
        for await signal in signals {
            let name = signal.description.uppercased()
            let first = stop.request(BackfillStop.Request(reason: name, exitCode: 128 + signal.rawValue))
            if first && !cancelAtOnce {
                progress.warning("stopping after the batch in flight; send the signal again to cancel that batch", metadata: ["signal": "\(name)"])
            } else {
                progress.warning("cancelling the statement in flight", metadata: ["signal": "\(name)"])
                work.cancel()
            }
        }
    }
}
