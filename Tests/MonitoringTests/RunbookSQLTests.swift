import Foundation
import Testing
import TestSupport

/// The SQL of the runbooks runs against the platform's schema (deploy/sql/schema.sql): every ```sql block
/// of docs/runbooks/*.md, in order, in a fresh seeded database put in the state the alert describes, and
/// the mitigations fix what they claim to fix. Placeholders such as '<room_id>' become NULL.
struct RunbookSQLTests {
    struct Scenario: Sendable {
        /// Puts the database in the state the alert describes.
        let setup: String
        /// A query that returns `t` once the runbook's SQL has run.
        let fixed: String?
    }

    static let activateWithoutTrigger = """
        ALTER TABLE bookings DISABLE TRIGGER booking_create_chat_update;
        UPDATE bookings SET status = 'active', updated_at = now() WHERE id = '\(SeedData.cancelledBooking)';
        """
    static let withoutRoom = """
        SELECT count(*) = 0 FROM bookings b JOIN lessons l ON l.id = b.lesson_id
         WHERE b.status = 'active' AND b.deleted_at IS NULL AND l.deleted_at IS NULL AND l.teacher_id <> b.student_id
           AND NOT EXISTS (SELECT 1 FROM chat_rooms r WHERE r.teacher_id = l.teacher_id AND r.student_id = b.student_id AND r.deleted_at IS NULL)
        """

    /// One usable arbiter for the trigger's ON CONFLICT: a unique, immediate constraint on the pair.
    static let uniqueConstraintUsable = """
        SELECT count(*) = 1 AND bool_and(NOT condeferrable) FROM pg_constraint
         WHERE conrelid = 'chat_rooms'::regclass AND contype = 'u'
        """

    /// Runbooks whose SQL must also fix a second state of the same alert.
    static let moreScenarios: [String: Scenario] = [
        // PostgreSQL cannot make a unique constraint NOT DEFERRABLE in place (ALTER CONSTRAINT is for foreign keys).
        "ChatCreationUniqueConstraintMissing": Scenario(
            setup: """
                ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_teacher_id_student_id_key;
                ALTER TABLE chat_rooms ADD CONSTRAINT chat_rooms_teacher_id_student_id_key UNIQUE (teacher_id, student_id) DEFERRABLE;
                """,
            fixed: uniqueConstraintUsable),
    ]

    static let scenarios: [String: Scenario] = [
        "ChatCreationTriggerDisabled": Scenario(
            setup: activateWithoutTrigger,
            fixed: "SELECT tgenabled = 'O' FROM pg_trigger WHERE tgname = 'booking_create_chat_update'"),
        "ChatCreationBookingsWithoutRoom": Scenario(setup: activateWithoutTrigger, fixed: withoutRoom),
        "ChatCreationBookingsWithoutRoomHighShare": Scenario(setup: activateWithoutTrigger, fixed: nil),
        "ChatCreationTriggerMissing": Scenario(
            setup: "DROP TRIGGER booking_create_chat ON bookings; DROP TRIGGER booking_create_chat_update ON bookings;",
            fixed: "SELECT count(*) = 2 FROM pg_trigger WHERE tgrelid = 'bookings'::regclass AND NOT tgisinternal"),
        "ChatCreationFunctionMissing": Scenario(
            setup: "DROP FUNCTION create_chat_on_booking_active() CASCADE;",
            fixed: "SELECT count(*) = 1 FROM pg_proc WHERE proname = 'create_chat_on_booking_active'"),
        "ChatCreationUniqueConstraintMissing": Scenario(
            setup: "ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_teacher_id_student_id_key;",
            fixed: uniqueConstraintUsable),
        "ChatCreationDuplicateRooms": Scenario(
            setup: """
                ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_teacher_id_student_id_key;
                INSERT INTO chat_rooms (id, teacher_id, student_id, created_at)
                  VALUES ('00000000-0000-0000-0000-000000000999', '\(SeedData.teacher1)', '\(SeedData.student1)', now());
                INSERT INTO messages (chat_room_id, sender_id, message_text, status, created_at)
                  VALUES ('00000000-0000-0000-0000-000000000999', '\(SeedData.student1)', 'in the duplicate', 'delivered', now());
                """,
            fixed: """
                SELECT NOT EXISTS (SELECT 1 FROM chat_rooms GROUP BY teacher_id, student_id HAVING count(*) > 1)
                   AND (SELECT count(*) FROM messages) = 3
                   AND NOT EXISTS (SELECT 1 FROM chat_rooms WHERE id = '00000000-0000-0000-0000-000000000999')
                """),
        "ChatCreationBookingsBlockedByDeletedRoom": Scenario(
            setup: "UPDATE chat_rooms SET deleted_at = now() WHERE student_id = '\(SeedData.student1)';", fixed: nil),
        "ChatCreationOrphanedBookings": Scenario(
            setup: "UPDATE lessons SET deleted_at = now() WHERE id = '\(SeedData.upcomingLesson)';",
            fixed: "SELECT NOT EXISTS (SELECT 1 FROM bookings b JOIN lessons l ON l.id = b.lesson_id WHERE b.status = 'active' AND b.deleted_at IS NULL AND l.deleted_at IS NOT NULL)"),
        "ChatCreationInvalidRoomParticipants": Scenario(
            setup: "INSERT INTO chat_rooms (teacher_id, student_id) VALUES ('\(SeedData.teacher2)', '\(SeedData.teacher2)');",
            fixed: "SELECT NOT EXISTS (SELECT 1 FROM chat_rooms WHERE deleted_at IS NULL AND teacher_id = student_id)"),
    ]

    /// The ```sql blocks of a Markdown file, placeholders replaced by NULL.
    static func sqlBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```sql" {
                current = []
            } else if current != nil, trimmed == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        let placeholder = try? NSRegularExpression(pattern: "'<[^'>]*>'")
        return blocks.map { block in
            placeholder?.stringByReplacingMatches(in: block, range: NSRange(block.startIndex..., in: block), withTemplate: "NULL") ?? block
        }
    }

    static func runbooksWithSQL() throws -> [String] {
        try Repository.files(in: "docs/runbooks", suffix: ".md").filter { file in
            (try? !sqlBlocks(Repository.read(file)).isEmpty) ?? false
        }
    }

    @Test func everyScenarioNamesARunbookWithSQL() throws {
        let names = Set(try Self.runbooksWithSQL().map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent })
        #expect(names.count >= 14, "runbooks with SQL: \(names.sorted())")
        #expect(Set(Self.scenarios.keys).isSubset(of: names), "scenarios without such runbook: \(Set(Self.scenarios.keys).subtracting(names).sorted())")
    }

    @Test(arguments: try runbooksWithSQL())
    func runbookSQLRunsAndFixes(file: String) throws {
        let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        try run(file, scenario: Self.scenarios[name])
    }

    @Test(arguments: Array(moreScenarios.keys))
    func runbookSQLFixesTheOtherState(name: String) throws {
        try run("docs/runbooks/\(name).md", scenario: Self.moreScenarios[name])
    }

    /// The lag runbook's list is the rooms the metric calls slow: a room created long after a lesson of a cancelled
    /// booking was not late (a cancelled booking never needed one), nor one created when its booking was confirmed
    /// after the lesson (updated_at, the trigger's moment), while one created hours after a completed lesson was.
    @Test func theLagRunbookListsTheRoomsTheMetricCountsAsSlow() throws {
        let database = try SeedData.database()
        defer { database.drop() }
        try database.execute("""
            INSERT INTO lessons (id, teacher_id, start_time, end_time) VALUES
              ('00000000-0000-0000-0000-000000000111', '\(SeedData.teacher2)', now() - interval '73 hours', now() - interval '72 hours'),
              ('00000000-0000-0000-0000-000000000112', '\(SeedData.teacher2)', now() - interval '4 hours', now() - interval '3 hours');
            INSERT INTO bookings (lesson_id, student_id, status, created_at, updated_at) VALUES
              ('00000000-0000-0000-0000-000000000111', '\(SeedData.student2)', 'cancelled', now() - interval '80 hours', now() - interval '80 hours'),
              ('00000000-0000-0000-0000-000000000112', '\(SeedData.student1)', 'completed', now() - interval '80 hours', now() - interval '80 hours'),
              ('00000000-0000-0000-0000-000000000112', '\(SeedData.student3)', 'completed', now() - interval '80 hours', now() - interval '2 hours');
            INSERT INTO chat_rooms (teacher_id, student_id, created_at) VALUES
              ('\(SeedData.teacher2)', '\(SeedData.student2)', now()),
              ('\(SeedData.teacher2)', '\(SeedData.student1)', now()),
              ('\(SeedData.teacher2)', '\(SeedData.student3)', now() - interval '2 hours');
            """)
        let blocks = Self.sqlBlocks(try Repository.read("docs/runbooks/ChatCreationLagHigh.md"))
        let list = try #require(blocks.first).trimmingCharacters(in: .whitespacesAndNewlines)
        let query = list.hasSuffix(";") ? String(list.dropLast()) : list
        let listed = try database.scalar("SELECT coalesce(string_agg(student_id::text, ','), '') FROM (\(query)) AS listed")
        #expect(listed == SeedData.student1)
    }

    private func run(_ file: String, scenario: Scenario?) throws {
        let database = try SeedData.database()
        defer { database.drop() }
        if let setup = scenario?.setup {
            try database.execute(setup)
        }
        for (index, block) in Self.sqlBlocks(try Repository.read(file)).enumerated() {
            do {
                try database.execute(block)
            } catch {
                Issue.record("\(file), SQL block \(index + 1) fails: \(error)")
            }
        }
        if let fixed = scenario?.fixed {
            #expect(try database.scalar(fixed) == "t", "\(file): after its SQL, \(fixed) is not true")
        }
    }
}
