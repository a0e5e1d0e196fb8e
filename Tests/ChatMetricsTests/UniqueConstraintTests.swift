import Testing

/// chat_room_unique_constraint_present and chat_room_duplicate_pairs.
///
/// The constraint metric reads "is there an arbiter for the trigger's `ON CONFLICT (teacher_id, student_id)`":
/// only a valid, NON-PARTIAL unique constraint or index on exactly those two columns (in either order) is one.
/// A partial unique index (`WHERE deleted_at IS NULL`) or a wider one does not qualify, and with either the
/// function fails on every activation ("there is no unique or exclusion constraint matching the ON CONFLICT
/// specification"), which these tests prove, so reporting 0 for them is the right reading.
@Suite struct UniqueConstraintTests {
    private static let dropConstraint = "ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_teacher_id_student_id_key;\n"

    /// Activating a booking for a new pair fails: the trigger's ON CONFLICT finds no arbiter.
    private static func expectActivationFails(_ scenario: ScenarioDatabase) {
        let sql = Fixture.lesson(90, teacher: 2, ends: At.fromNow("1 day"))
            + Fixture.booking(90, lesson: 90, student: ID.student(2), status: "active")
        let error = #expect(throws: (any Error).self) { try scenario.run(sql) }
        #expect(String(describing: error).contains("no unique or exclusion constraint matching the ON CONFLICT specification"))
    }

    /// Without the constraint, a second live room for a pair is a duplicate pair; a pair with one live and one
    /// soft-deleted room is not.
    @Test func droppedConstraintLetsDuplicatesIn() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 2, students: 2)
                    + Self.dropConstraint
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(1), created: At.now)
                    + Fixture.room(2, teacher: ID.teacher(1), student: ID.student(1), created: At.now)
                    + Fixture.room(3, teacher: ID.teacher(1), student: ID.student(2), created: At.now, deleted: true)
                    + Fixture.room(4, teacher: ID.teacher(1), student: ID.student(2), created: At.now)
            )
            Self.expectActivationFails(scenario)
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected["chat_room_unique_constraint_present"] = 0
        expected["chat_room_duplicate_pairs"] = 1
        expected.rooms(live: 3, deleted: 1, createdToday: 3)
        expected.verify(run.metrics)
    }

    /// A partial unique index on the pair keeps live rooms unique but is no arbiter for the trigger's ON CONFLICT
    /// (it would need the index predicate in the ON CONFLICT clause): constraint 0, duplicates 0.
    @Test func partialUniqueIndexIsNotTheConstraint() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 2, students: 2)
                    + Self.dropConstraint
                    + "CREATE UNIQUE INDEX chat_rooms_live_pair ON chat_rooms (teacher_id, student_id) WHERE deleted_at IS NULL;\n"
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(1), created: At.now)
                    + Fixture.room(2, teacher: ID.teacher(1), student: ID.student(1), created: At.now, deleted: true)
            )
            Self.expectActivationFails(scenario)
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected["chat_room_unique_constraint_present"] = 0
        expected.rooms(live: 1, deleted: 1, createdToday: 1)
        expected.verify(run.metrics)
    }

    /// A unique index on (teacher_id, student_id, deleted_at) is no arbiter either: constraint 0.
    @Test func widerUniqueIndexIsNotTheConstraint() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 2, students: 2)
                    + Self.dropConstraint
                    + "CREATE UNIQUE INDEX chat_rooms_pair_deleted ON chat_rooms (teacher_id, student_id, deleted_at);\n"
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(1), created: At.now)
                    + Fixture.room(2, teacher: ID.teacher(1), student: ID.student(1), created: At.now)
            )
            Self.expectActivationFails(scenario)
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected["chat_room_unique_constraint_present"] = 0
        expected["chat_room_duplicate_pairs"] = 1
        expected.rooms(live: 2, deleted: 0, createdToday: 2)
        expected.verify(run.metrics)
    }

    /// A DEFERRABLE unique constraint keeps pairs unique at commit but cannot be an ON CONFLICT arbiter either
    /// ("ON CONFLICT does not support deferrable unique constraints"): constraint 0, duplicates 0.
    @Test func deferrableUniqueConstraintIsNotTheArbiter() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 2, students: 2)
                    + Self.dropConstraint
                    + "ALTER TABLE chat_rooms ADD CONSTRAINT chat_rooms_pair_deferrable UNIQUE (teacher_id, student_id) DEFERRABLE;\n"
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.student(1), created: At.now)
            )
            let sql = Fixture.lesson(90, teacher: 2, ends: At.fromNow("1 day"))
                + Fixture.booking(90, lesson: 90, student: ID.student(2), status: "active")
            let error = #expect(throws: (any Error).self) { try scenario.run(sql) }
            #expect(String(describing: error).contains("deferrable"))
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected["chat_room_unique_constraint_present"] = 0
        expected.rooms(live: 1, deleted: 0, createdToday: 1)
        expected.verify(run.metrics)
    }

    /// A plain unique index on (student_id, teacher_id), columns reversed, is an arbiter (ON CONFLICT infers by
    /// the set of columns): constraint 1, and activations create rooms, one per pair.
    @Test func uniqueIndexWithReversedColumnsIsTheConstraint() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 1)
                    + Self.dropConstraint
                    + "CREATE UNIQUE INDEX chat_rooms_student_teacher ON chat_rooms (student_id, teacher_id);\n"
                    + Fixture.lesson(1, teacher: 1, ends: At.fromNow("2 hours"))
                    + Fixture.lesson(2, teacher: 1, ends: At.fromNow("1 day"))
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active")
                    + Fixture.booking(2, lesson: 2, student: ID.student(1), status: "active")
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 1, deleted: 0, createdToday: 1)
        expected["chat_bookings_active"] = 2
        expected["chat_bookings", ["status": "active"]] = 2
        expected.lessons(completed: 0, upcoming: 2, noEndTime: 0)
        expected.verify(run.metrics)
    }
}
