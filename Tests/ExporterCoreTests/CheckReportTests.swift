@testable import ChatCheck
import Testing

/// `check` tells a database without the platform's tables from one with a problem by the relation the server names,
/// in whatever language the server speaks (its `lc_messages`, which the exporter's role may not change).
struct CheckReportTests {
    @Test(arguments: [
        "relation \"bookings\" does not exist",
        "Relation »bookings« existiert nicht",
        "la relation « bookings » n'existe pas",
        "relation \"public.bookings\" does not exist",
    ])
    func aMissingPlatformTableIsRecognisedInAnyLanguage(message: String) {
        #expect(CheckReport.names(message, "bookings"))
    }

    @Test(arguments: ["relation \"chat_bookings\" does not exist", "relation \"bookings_archive\" does not exist", "relation \"audit_logs\" does not exist"])
    func anotherRelationIsNot(message: String) {
        #expect(!CheckReport.names(message, "bookings"))
    }
}
