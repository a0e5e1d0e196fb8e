import Testing

/// The migration-050 triggers and function: rooms they create, and their presence and enabled state.
@Suite struct TriggerTests {
    /// Teacher 1, students 1 to 3, and lesson 1 of teacher 1 ending in two hours.
    private static let base = Fixture.users(teachers: 1, students: 3) + Fixture.lesson(1, teacher: 1, ends: At.fromNow("2 hours"))

    /// A booking inserted as active (booking_create_chat) and one updated to active (booking_create_chat_update)
    /// each get a room: 2 live rooms, nothing without a room.
    @Test func activationByInsertAndByUpdateCreatesRooms() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Self.base
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active")
                    + Fixture.booking(2, lesson: 1, student: ID.student(2), status: "pending")
                    + "UPDATE bookings SET status = 'active' WHERE id = '\(ID.booking(2))';\n"
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 2, deleted: 0, createdToday: 2)
        expected["chat_bookings_active"] = 2
        expected["chat_bookings", ["status": "active"]] = 2
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// With booking_create_chat_update disabled, a booking updated to active gets no room: the trigger is present
    /// but not enabled, and the booking is "missing" (its age is that of the booking). The insert trigger still fires.
    @Test func disabledUpdateTriggerLeavesActivatedBookingWithoutRoom() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Self.base
                    + "ALTER TABLE bookings DISABLE TRIGGER booking_create_chat_update;\n"
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "pending", created: At.ago("10 minutes"))
                    + "UPDATE bookings SET status = 'active' WHERE id = '\(ID.booking(1))';\n"
                    + Fixture.booking(2, lesson: 1, student: ID.student(2), status: "active")
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.trigger("booking_create_chat_update", present: 1, enabled: 0)
        expected.rooms(live: 1, deleted: 0, createdToday: 1)
        expected["chat_bookings_active"] = 2
        expected["chat_bookings", ["status": "active"]] = 2
        expected.withoutRoom(missing: 1, roomDeleted: 0, oldestMissing: 600)
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// `ENABLE REPLICA TRIGGER` (tgenabled 'R') fires only while session_replication_role = replica, so on the
    /// platform it does not fire: present 1, enabled 0, and the inserted active booking has no room.
    @Test func replicaOnlyTriggerCountsAsNotEnabled() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Self.base
                    + "ALTER TABLE bookings ENABLE REPLICA TRIGGER booking_create_chat;\n"
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active", created: At.ago("5 minutes"))
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.trigger("booking_create_chat", present: 1, enabled: 0)
        expected["chat_bookings_active"] = 1
        expected["chat_bookings", ["status": "active"]] = 1
        expected.withoutRoom(missing: 1, roomDeleted: 0, oldestMissing: 300)
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// A migration-050 trigger recreated under its name (`trigger` and the rest of its CREATE TRIGGER statement).
    struct Redefinition: Sendable, CustomTestStringConvertible {
        let trigger: String
        let definition: String
        /// Whether it still creates rooms.
        let works: Bool
        var testDescription: String { "\(trigger) \(definition)" }
    }

    /// A trigger recreated under migration 050's name for another event, as a statement trigger, calling another
    /// function, or (the update trigger) for columns that leave out status (`UPDATE OF lesson_id`, which never fires
    /// when a booking becomes active) does not create rooms: present 1, enabled 0, and the booking has no room.
    /// Recreated AFTER instead of BEFORE, or for columns that include status, it still works: enabled 1, and the
    /// booking gets its room. The booking is inserted active (insert trigger), or pending and then activated.
    @Test(arguments: [
        Redefinition(trigger: "booking_create_chat", definition: "AFTER DELETE ON bookings FOR EACH ROW EXECUTE FUNCTION create_chat_on_booking_active()", works: false),
        Redefinition(trigger: "booking_create_chat", definition: "BEFORE INSERT ON bookings FOR EACH STATEMENT EXECUTE FUNCTION chat_test_noop()", works: false),
        Redefinition(trigger: "booking_create_chat", definition: "BEFORE INSERT ON bookings FOR EACH ROW EXECUTE FUNCTION chat_test_noop()", works: false),
        Redefinition(trigger: "booking_create_chat", definition: "AFTER INSERT ON bookings FOR EACH ROW WHEN (NEW.status = 'active') EXECUTE FUNCTION create_chat_on_booking_active()", works: true),
        Redefinition(trigger: "booking_create_chat_update", definition: "BEFORE UPDATE OF lesson_id ON bookings FOR EACH ROW" + Self.updateCondition, works: false),
        Redefinition(trigger: "booking_create_chat_update", definition: "BEFORE UPDATE OF lesson_id, status ON bookings FOR EACH ROW" + Self.updateCondition, works: true),
        Redefinition(trigger: "booking_create_chat_update", definition: "AFTER UPDATE OF status ON bookings FOR EACH ROW" + Self.updateCondition, works: true),
    ])
    func aRedefinedTriggerIsNotEnabled(_ redefinition: Redefinition) async throws {
        let byUpdate = redefinition.trigger.hasSuffix("_update")
        let run = try await collectScenario { scenario in
            try scenario.run(
                Self.base
                    + "CREATE FUNCTION chat_test_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
                    + "DROP TRIGGER \(redefinition.trigger) ON bookings;\n"
                    + "CREATE TRIGGER \(redefinition.trigger) \(redefinition.definition);\n"
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: byUpdate ? "pending" : "active", created: At.ago("5 minutes"))
                    + (byUpdate ? "UPDATE bookings SET status = 'active' WHERE id = '\(ID.booking(1))';\n" : "")
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected["chat_bookings_active"] = 1
        expected["chat_bookings", ["status": "active"]] = 1
        if redefinition.works {
            expected.rooms(live: 1, deleted: 0, createdToday: 1)
        } else {
            expected.trigger(redefinition.trigger, present: 1, enabled: 0)
            expected.withoutRoom(missing: 1, roomDeleted: 0, oldestMissing: 300)
        }
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    private static let updateCondition =
        " WHEN (NEW.status = 'active' AND OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION create_chat_on_booking_active()"

    /// `ENABLE ALWAYS TRIGGER` (tgenabled 'A') fires: enabled 1, and the booking gets its room.
    @Test func alwaysEnabledTriggerCountsAsEnabled() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Self.base
                    + "ALTER TABLE bookings ENABLE ALWAYS TRIGGER booking_create_chat;\n"
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active")
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.rooms(live: 1, deleted: 0, createdToday: 1)
        expected["chat_bookings_active"] = 1
        expected["chat_bookings", ["status": "active"]] = 1
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// A dropped booking_create_chat: present 0 (and enabled 0) even when a trigger of that name exists on another
    /// table; the update trigger still creates rooms; the inserted active booking is missing its room.
    @Test func droppedInsertTriggerIsAbsent() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Self.base
                    + "DROP TRIGGER booking_create_chat ON bookings;\n"
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active", created: At.ago("15 minutes"))
                    + Fixture.booking(2, lesson: 1, student: ID.student(2), status: "pending")
                    + "UPDATE bookings SET status = 'active' WHERE id = '\(ID.booking(2))';\n"
                    + "CREATE TRIGGER booking_create_chat BEFORE INSERT ON lessons FOR EACH ROW EXECUTE FUNCTION create_chat_on_booking_active();\n"
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.trigger("booking_create_chat", present: 0, enabled: 0)
        expected.rooms(live: 1, deleted: 0, createdToday: 1)
        expected["chat_bookings_active"] = 2
        expected["chat_bookings", ["status": "active"]] = 2
        expected.withoutRoom(missing: 1, roomDeleted: 0, oldestMissing: 900)
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }

    /// `DROP FUNCTION ... CASCADE` takes both triggers with it: function 0, both triggers present 0 and enabled 0,
    /// and no activation creates a room. A function of the same name that is no trigger function (another
    /// overload, returning integer) is not the trigger function: still 0.
    @Test func droppedFunctionTakesBothTriggers() async throws {
        let run = try await collectScenario { scenario in
            try scenario.run(
                Self.base
                    + "DROP FUNCTION create_chat_on_booking_active() CASCADE;\n"
                    + "CREATE FUNCTION create_chat_on_booking_active(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1';\n"
                    + Fixture.booking(1, lesson: 1, student: ID.student(1), status: "active", created: At.ago("1 hour"))
                    + Fixture.booking(2, lesson: 1, student: ID.student(2), status: "pending")
                    + "UPDATE bookings SET status = 'active' WHERE id = '\(ID.booking(2))';\n"
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected["chat_function_present", ["function": "create_chat_on_booking_active"]] = 0
        expected.trigger("booking_create_chat", present: 0, enabled: 0)
        expected.trigger("booking_create_chat_update", present: 0, enabled: 0)
        expected["chat_bookings_active"] = 2
        expected["chat_bookings", ["status": "active"]] = 2
        expected.withoutRoom(missing: 2, roomDeleted: 0, oldestMissing: 3600)
        expected.lessons(completed: 0, upcoming: 1, noEndTime: 0)
        expected.verify(run.metrics)
    }
}
