/// A teacher/student pair that has active bookings and no room at all: a run creates its room.
public struct MissingPair: Sendable, Hashable, Codable {
    public let teacherID: String
    public let studentID: String
    /// Its active bookings (status 'active', booking and lesson live).
    public let activeBookings: Int
    /// When the oldest of them was created (`bookings.created_at` as the server prints it).
    public let oldestBookingCreatedAt: String?

    public init(teacherID: String, studentID: String, activeBookings: Int, oldestBookingCreatedAt: String?) {
        self.teacherID = teacherID
        self.studentID = studentID
        self.activeBookings = activeBookings
        self.oldestBookingCreatedAt = oldestBookingCreatedAt
    }

    enum CodingKeys: String, CodingKey {
        case teacherID = "teacher_id", studentID = "student_id", activeBookings = "active_bookings"
        case oldestBookingCreatedAt = "oldest_booking_created_at"
    }
}

/// A pair with active bookings whose only room is soft-deleted: the trigger's `ON CONFLICT DO NOTHING` stops at
/// it, and so does the backfill unless `--restore-deleted` is given.
public struct BlockedPair: Sendable, Hashable, Codable {
    public let teacherID: String
    public let studentID: String
    /// The soft-deleted room.
    public let roomID: String
    public let deletedAt: String?
    public let activeBookings: Int

    public init(teacherID: String, studentID: String, roomID: String, deletedAt: String?, activeBookings: Int) {
        self.teacherID = teacherID
        self.studentID = studentID
        self.roomID = roomID
        self.deletedAt = deletedAt
        self.activeBookings = activeBookings
    }

    enum CodingKeys: String, CodingKey {
        case teacherID = "teacher_id", studentID = "student_id", roomID = "room_id", deletedAt = "deleted_at"
        case activeBookings = "active_bookings"
    }
}

/// A teacher/student pair, by its ids as the server prints them.
public struct TeacherStudentPair: Sendable, Hashable, Codable {
    public let teacherID: String
    public let studentID: String

    public init(teacherID: String, studentID: String) {
        self.teacherID = teacherID
        self.studentID = studentID
    }

    enum CodingKeys: String, CodingKey {
        case teacherID = "teacher_id", studentID = "student_id"
    }
}

/// A room this run created or restored.
public struct Room: Sendable, Hashable, Codable {
    public let id: String
    public let teacherID: String
    public let studentID: String

    public init(id: String, teacherID: String, studentID: String) {
        self.id = id
        self.teacherID = teacherID
        self.studentID = studentID
    }

    enum CodingKeys: String, CodingKey {
        case id, teacherID = "teacher_id", studentID = "student_id"
    }
}

/// What a backfill run did (or, for a dry run, would do). Counts are of teacher/student pairs, that is of rooms.
public struct BackfillSummary: Sendable, Hashable, Codable {
    /// Whether this was a dry run (nothing changed).
    public var dryRun: Bool
    /// The database role that ran it.
    public var role: String
    /// Whether a real run could write here: the role may insert into chat_rooms and the server is no standby (a dry
    /// run reports it; a real run refuses without it).
    public var canWrite: Bool
    /// Whether the server is a read-only standby (`pg_is_in_recovery()`).
    public var standby: Bool = false
    /// Pairs without any room when the run started.
    public var missingAtStart: Int = 0
    /// Pairs blocked by a soft-deleted room when the run started.
    public var blockedAtStart: Int = 0
    /// Whether the run was asked to restore the soft-deleted rooms that block pairs (`--restore-deleted`).
    public var restoreDeleted: Bool = false
    /// Whether the role may undelete rooms (UPDATE of chat_rooms' deleted_at and updated_at), which
    /// `--restore-deleted` needs.
    public var canRestore: Bool = true
    /// Whether chat_rooms has the unique index on (teacher_id, student_id) a real run needs (a dry run reports
    /// without it).
    public var uniquePresent: Bool = true
    /// Rooms this run inserted.
    public var created: Int = 0
    /// Candidate pairs whose room appeared between the candidate query and the insert (`ON CONFLICT DO NOTHING`
    /// skipped them): the trigger or another backfill got there first.
    public var alreadyPresent: Int = 0
    /// Soft-deleted rooms this run undeleted (`--restore-deleted`).
    public var restored: Int = 0
    /// Soft-deleted rooms another backfill undeleted between the candidate query and the update.
    public var alreadyRestored: Int = 0
    /// Pairs still blocked by a soft-deleted room at the end (left alone, or all of them on a dry run).
    public var blocked: Int = 0
    /// Pairs still without any room at the end (on a dry run: those a run would create).
    public var remainingMissing: Int = 0
    /// Whether `--limit` stopped the run while something was left to do.
    public var limitReached: Bool = false
    /// Writing statements that ran to their end (batches, and pairs made one at a time), retries and statements that
    /// gave way to a lock not counted.
    public var batches: Int = 0
    /// The rooms this run created, in the order it created them.
    public var createdRooms: [Room] = []
    /// The rooms this run restored.
    public var restoredRooms: [Room] = []
    /// Dry run: the pairs a run would create rooms for (at most the limit, or the list limit).
    public var wouldCreate: [MissingPair] = []
    /// The pairs blocked by a soft-deleted room at the end (dry run: would be restored with `--restore-deleted`).
    public var blockedPairs: [BlockedPair] = []
    /// Pairs set aside: their room (another transaction writing it, uncommitted) or the whole table stayed locked past
    /// ``BackfillOptions/pairLockTimeout``, so this run left them for a later run rather than wait on them.
    public var setAside: [TeacherStudentPair] = []
    /// Whether the run stopped creating because several pairs in a row were set aside: chat_rooms looked locked as a
    /// whole (``BackfillOptions/setAsideInARowLimit``).
    public var lockedOut = false
    /// Dry run: how many rooms a run with the same `--limit` would create (the list may stop at 10 000 before).
    public var wouldCreateCount = 0

    public init(dryRun: Bool, role: String, canWrite: Bool) {
        self.dryRun = dryRun
        self.role = role
        self.canWrite = canWrite
    }

    /// Why a real run could not write here, for a dry run's report; nil when it could.
    public var writeNote: String? {
        if standby { return "Note: this server is a read-only standby: a real run must go to the primary." }
        if !uniquePresent {
            return "Note: chat_rooms has no unique index on (teacher_id, student_id): a real run refuses until it is restored (docs/runbooks/ChatCreationUniqueConstraintMissing.md)."
        }
        if !canWrite {
            return "Note: the role \(role) may not write chat_rooms: a real run needs the backfill role from deploy/sql/role.sql (chat_backfill)."
        }
        if restoreDeleted && !canRestore {
            return "Note: the role \(role) may not undelete rooms: --restore-deleted needs the platform's owner role or an administrator."
        }
        return nil
    }

    /// Whether the real run with the same flags would refuse to start (its ``BackfillError``): no unique index, a
    /// standby or a role that may not insert, or `--restore-deleted` for a role that may not undelete.
    var wouldRefuse: Bool {
        !uniquePresent || !canWrite || (restoreDeleted && !canRestore)
    }

    /// Whether blocked pairs left alone count as done for ``exitCode`` (`--allow-blocked`).
    public var blockedAllowed: Bool = false

    /// Set when a ``BackfillStop`` ended the run after a batch: the later batches never started, and
    /// ``remainingMissing`` and ``blocked`` are counted after the last one that did.
    public var interruption: BackfillStop.Request?

    /// Like `chat-exporter check`: 0 when nothing is left without a live room, 1 when something remains (blocked
    /// pairs not restored, unless ``blockedAllowed``; `--limit` reached; or — on a dry run — anything a run would
    /// do); an interrupted run ends with its ``interruption``'s status (128 + the signal). Errors are 2
    /// (``BackfillError``). A dry run exits as the real run with the same flags would: 2 where it would refuse to
    /// start, after listing.
    public var exitCode: Int32 {
        if let interruption { return interruption.exitCode }
        if dryRun && wouldRefuse { return 2 }
        // A dry run with --restore-deleted would restore the blocked pairs: that is something to do.
        let blockedDone = blocked == 0 || (blockedAllowed && !(dryRun && restoreDeleted))
        return remainingMissing == 0 && blockedDone ? 0 : 1
    }

    enum CodingKeys: String, CodingKey {
        case dryRun = "dry_run", role, canWrite = "can_write", standby, missingAtStart = "missing_at_start"
        case blockedAtStart = "blocked_at_start", created, alreadyPresent = "already_present", restored
        case alreadyRestored = "already_restored", blocked, remainingMissing = "remaining_missing"
        case limitReached = "limit_reached", batches, createdRooms = "created_rooms", restoredRooms = "restored_rooms"
        case wouldCreate = "would_create", blockedPairs = "blocked_pairs", blockedAllowed = "blocked_allowed"
        case interrupted, exitCode = "exit_code", restoreDeleted = "restore_deleted", canRestore = "can_restore"
        case uniquePresent = "unique_present", setAside = "set_aside", lockedOut = "locked_out"
        case wouldCreateCount = "would_create_count"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dryRun = try container.decode(Bool.self, forKey: .dryRun)
        role = try container.decode(String.self, forKey: .role)
        canWrite = try container.decode(Bool.self, forKey: .canWrite)
        standby = try container.decodeIfPresent(Bool.self, forKey: .standby) ?? false
        missingAtStart = try container.decode(Int.self, forKey: .missingAtStart)
        blockedAtStart = try container.decode(Int.self, forKey: .blockedAtStart)
        created = try container.decode(Int.self, forKey: .created)
        alreadyPresent = try container.decode(Int.self, forKey: .alreadyPresent)
        restored = try container.decode(Int.self, forKey: .restored)
        alreadyRestored = try container.decode(Int.self, forKey: .alreadyRestored)
        blocked = try container.decode(Int.self, forKey: .blocked)
        remainingMissing = try container.decode(Int.self, forKey: .remainingMissing)
        limitReached = try container.decode(Bool.self, forKey: .limitReached)
        batches = try container.decode(Int.self, forKey: .batches)
        createdRooms = try container.decode([Room].self, forKey: .createdRooms)
        restoredRooms = try container.decode([Room].self, forKey: .restoredRooms)
        wouldCreate = try container.decode([MissingPair].self, forKey: .wouldCreate)
        blockedPairs = try container.decode([BlockedPair].self, forKey: .blockedPairs)
        blockedAllowed = try container.decodeIfPresent(Bool.self, forKey: .blockedAllowed) ?? false
        restoreDeleted = try container.decodeIfPresent(Bool.self, forKey: .restoreDeleted) ?? false
        canRestore = try container.decodeIfPresent(Bool.self, forKey: .canRestore) ?? true
        uniquePresent = try container.decodeIfPresent(Bool.self, forKey: .uniquePresent) ?? true
        setAside = try container.decodeIfPresent([TeacherStudentPair].self, forKey: .setAside) ?? []
        lockedOut = try container.decodeIfPresent(Bool.self, forKey: .lockedOut) ?? false
        wouldCreateCount = try container.decodeIfPresent(Int.self, forKey: .wouldCreateCount) ?? 0
        if let reason = try container.decodeIfPresent(String.self, forKey: .interrupted) {
            interruption = BackfillStop.Request(reason: reason, exitCode: try container.decode(Int32.self, forKey: .exitCode))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dryRun, forKey: .dryRun)
        try container.encode(role, forKey: .role)
        try container.encode(canWrite, forKey: .canWrite)
        try container.encode(standby, forKey: .standby)
        try container.encode(missingAtStart, forKey: .missingAtStart)
        try container.encode(blockedAtStart, forKey: .blockedAtStart)
        try container.encode(created, forKey: .created)
        try container.encode(alreadyPresent, forKey: .alreadyPresent)
        try container.encode(restored, forKey: .restored)
        try container.encode(alreadyRestored, forKey: .alreadyRestored)
        try container.encode(blocked, forKey: .blocked)
        try container.encode(remainingMissing, forKey: .remainingMissing)
        try container.encode(limitReached, forKey: .limitReached)
        try container.encode(batches, forKey: .batches)
        try container.encode(createdRooms, forKey: .createdRooms)
        try container.encode(restoredRooms, forKey: .restoredRooms)
        try container.encode(wouldCreate, forKey: .wouldCreate)
        try container.encode(blockedPairs, forKey: .blockedPairs)
        try container.encode(blockedAllowed, forKey: .blockedAllowed)
        try container.encode(restoreDeleted, forKey: .restoreDeleted)
        try container.encode(canRestore, forKey: .canRestore)
        try container.encode(uniquePresent, forKey: .uniquePresent)
        try container.encode(setAside, forKey: .setAside)
        try container.encode(lockedOut, forKey: .lockedOut)
        try container.encode(wouldCreateCount, forKey: .wouldCreateCount)
        try container.encode(interruption?.reason, forKey: .interrupted)
        try container.encode(exitCode, forKey: .exitCode)
    }
}
