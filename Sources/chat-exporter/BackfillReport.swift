import Backfill
import PostgresClient

/// The text form of a backfill summary.
enum BackfillReport {
    static func text(_ summary: BackfillSummary, target: ConnectionTarget, restoreDeleted: Bool) -> String {
        var lines: [String] = []
        let place = "\(target.host):\(target.port)/\(target.database) as \(summary.role)"
        func pad(_ number: Int) -> String {
            let text = String(number)
            return String(repeating: " ", count: max(0, 7 - text.count)) + text
        }
        if summary.dryRun {
            lines.append("Backfill dry run against \(place): nothing was changed.")
            lines.append("")
            let restoreNote = restoreDeleted ? "" : " (left alone without --restore-deleted)"
            if summary.wouldCreateCount < summary.missingAtStart {
                lines.append("Would create \(summary.wouldCreateCount) of the \(summary.missingAtStart) missing rooms (--limit):")
            } else {
                lines.append("Would create \(summary.missingAtStart) room\(summary.missingAtStart == 1 ? "" : "s"):")
            }
            for pair in summary.wouldCreate {
                lines.append("  teacher \(pair.teacherID)  student \(pair.studentID)  \(pair.activeBookings) active booking\(pair.activeBookings == 1 ? "" : "s") since \(pair.oldestBookingCreatedAt ?? "?")")
            }
            if summary.wouldCreate.count < summary.wouldCreateCount {
                lines.append("  … and \(summary.wouldCreateCount - summary.wouldCreate.count) more")
            }
            lines.append("\(restoreDeleted ? "Would restore" : "Blocked by a soft-deleted room") (\(summary.blockedAtStart))\(restoreNote):")
            for pair in summary.blockedPairs {
                lines.append("  teacher \(pair.teacherID)  student \(pair.studentID)  room \(pair.roomID) deleted at \(pair.deletedAt ?? "?")")
            }
            if let note = summary.writeNote {
                lines.append("")
                lines.append(note)
            }
            lines.append("")
            if summary.exitCode == 0, summary.blocked > 0 {
                lines.append("✓ Nothing to create; \(summary.blocked) blocked by a soft-deleted room, left for a person (--allow-blocked).")
            } else if summary.exitCode == 0 {
                lines.append("✓ Nothing to do: every active booking has a live chat room.")
            } else {
                lines.append("✗ \(summary.missingAtStart) missing, \(summary.blockedAtStart) blocked.")
            }
            return lines.joined(separator: "\n") + "\n"
        }

        lines.append("Backfill against \(place):")
        if let interruption = summary.interruption {
            lines.append(summary.batches == 0
                ? "  interrupted by \(interruption.reason) before its first batch: nothing was changed"
                : "  interrupted by \(interruption.reason) after \(summary.batches) batch\(summary.batches == 1 ? "" : "es"): the batch in flight committed, no other started")
        }
        lines.append("  created          \(pad(summary.created))  rooms that were missing, now created as the trigger would have")
        lines.append("  already present  \(pad(summary.alreadyPresent))  made meanwhile by the trigger or another backfill (skipped by ON CONFLICT)")
        if restoreDeleted || summary.restored > 0 {
            lines.append("  restored         \(pad(summary.restored))  soft-deleted rooms undeleted (--restore-deleted)")
        }
        if summary.alreadyRestored > 0 {
            lines.append("  already restored \(pad(summary.alreadyRestored))  undeleted meanwhile by another backfill")
        }
        let blockedHelp = restoreDeleted ? "pairs still blocked by a soft-deleted room" : "pairs blocked by a soft-deleted room, left alone (--restore-deleted undeletes them)"
        // --limit stopped the phase that had work left: creating (missing pairs remain) or restoring (blocked ones).
        let limitOnMissing = summary.limitReached && summary.remainingMissing > 0
        let limitOnBlocked = summary.limitReached && !limitOnMissing
        lines.append("  blocked          \(pad(summary.blocked))  \(blockedHelp)\(limitOnBlocked ? " (--limit reached)" : "")")
        if !summary.setAside.isEmpty {
            lines.append("  set aside        \(pad(summary.setAside.count))  pairs whose room (or chat_rooms) stayed locked past the lock timeout: left for the next run")
        }
        if summary.lockedOut {
            lines.append("  (stopped creating after \(summary.setAside.count) pairs set aside in a row: chat_rooms looks locked as a whole, by a CREATE INDEX without CONCURRENTLY or a LOCK TABLE; run again once it is released)")
        }
        lines.append("  still missing    \(pad(summary.remainingMissing))  pairs without any room now\(limitOnMissing ? " (--limit reached)" : "")")
        if !summary.setAside.isEmpty {
            lines.append("")
            lines.append("Set aside:")
            for pair in summary.setAside {
                lines.append("  teacher \(pair.teacherID)  student \(pair.studentID)")
            }
        }
        if !summary.blockedPairs.isEmpty {
            lines.append("")
            lines.append("Blocked pairs:")
            for pair in summary.blockedPairs {
                lines.append("  teacher \(pair.teacherID)  student \(pair.studentID)  room \(pair.roomID) deleted at \(pair.deletedAt ?? "?")")
            }
        }
        lines.append("")
        if let interruption = summary.interruption {
            var left: [String] = []
            if summary.remainingMissing > 0 { left.append("\(summary.remainingMissing) missing") }
            if summary.blocked > 0 { left.append("\(summary.blocked) blocked by a soft-deleted room") }
            let remains = left.isEmpty ? "nothing remains" : left.joined(separator: ", ") + " remain"
            lines.append("✗ Interrupted by \(interruption.reason): \(remains); run it again to go on.")
        } else if summary.exitCode == 0, summary.blocked > 0 {
            lines.append("✓ Nothing left to create; \(summary.blocked) blocked by a soft-deleted room, left for a person (--allow-blocked).")
        } else if summary.exitCode == 0 {
            lines.append("✓ Every active booking has a live chat room.")
        } else {
            var reasons: [String] = []
            if summary.remainingMissing > 0 { reasons.append("\(summary.remainingMissing) missing\(summary.limitReached ? " (--limit reached)" : "")") }
            if summary.blocked > 0 { reasons.append("\(summary.blocked) blocked by a soft-deleted room") }
            lines.append("✗ Something remains: \(reasons.joined(separator: ", ")).")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
