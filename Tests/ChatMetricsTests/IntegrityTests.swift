import Testing

/// chat_rooms_invalid_participants.
@Suite struct IntegrityTests {
    /// A live room whose teacher is its student is invalid; a soft-deleted one is not counted.
    @Test func roomWithTeacherAsStudentIsInvalid() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 1)
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.teacher(1), created: At.now)
                    + Fixture.room(2, teacher: ID.teacher(1), student: ID.student(1), created: At.now)
                    + Fixture.room(3, teacher: ID.student(1), student: ID.student(1), created: At.now, deleted: true)
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 2, deleted: 1, createdToday: 2)
        expected["chat_rooms_invalid_participants"] = 1
        expected.verify(run.metrics)
    }

    /// With the foreign keys dropped, live rooms whose student or teacher has no users row are invalid (2); a
    /// soft-deleted user still has a row, so that room is valid; a soft-deleted room is not counted.
    @Test func roomWithMissingUserIsInvalid() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 2)
                    + "UPDATE users SET deleted_at = \(Fixture.deletedAt) WHERE id = '\(ID.student(2))';\n"
                    + "ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_student_id_fkey, DROP CONSTRAINT chat_rooms_teacher_id_fkey;\n"
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.nobody, created: At.now)
                    + Fixture.room(2, teacher: ID.nobody, student: ID.student(1), created: At.now)
                    + Fixture.room(3, teacher: ID.teacher(1), student: ID.student(1), created: At.now)
                    + Fixture.room(4, teacher: ID.teacher(1), student: ID.student(2), created: At.now)
                    + Fixture.room(5, teacher: ID.nobody, student: ID.student(2), created: At.now, deleted: true)
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 4, deleted: 1, createdToday: 4)
        expected["chat_rooms_invalid_participants"] = 2
        expected.verify(run.metrics)
    }

    /// The anti-joins are skipped only when both foreign keys to users are there and validated: with the
    /// teacher's key alone, or with both added NOT VALID over rows that break them, the missing users count.
    @Test(arguments: [
        "ALTER TABLE chat_rooms ADD CONSTRAINT chat_rooms_teacher_id_fkey FOREIGN KEY (teacher_id) REFERENCES users (id) NOT VALID;\n",
        "ALTER TABLE chat_rooms ADD CONSTRAINT chat_rooms_teacher_id_fkey FOREIGN KEY (teacher_id) REFERENCES users (id);\n",
        "ALTER TABLE chat_rooms ADD CONSTRAINT chat_rooms_teacher_id_fkey FOREIGN KEY (teacher_id) REFERENCES users (id),"
            + " ADD CONSTRAINT chat_rooms_student_id_fkey FOREIGN KEY (student_id) REFERENCES users (id) NOT VALID;\n",
    ])
    func missingUserIsFoundUnlessValidatedKeysRuleItOut(keys: String) async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.users(teachers: 1, students: 1)
                    + "ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_student_id_fkey, DROP CONSTRAINT chat_rooms_teacher_id_fkey;\n"
                    + Fixture.room(1, teacher: ID.teacher(1), student: ID.nobody, created: At.now)
                    + Fixture.room(2, teacher: ID.teacher(1), student: ID.student(1), created: At.now)
                    + keys
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 2, deleted: 0, createdToday: 2)
        expected["chat_rooms_invalid_participants"] = 1
        expected.verify(run.metrics)
    }
}
