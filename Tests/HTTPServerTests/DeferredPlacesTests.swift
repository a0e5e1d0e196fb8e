@testable import HTTPServer
import Testing

/// The deferred-work queue's places: the per-client share and the total, taken and given back.
struct DeferredPlacesTests {
    @Test func aClientsShareAndTheTotalAreHeldAndGivenBack() {
        var places = DeferredPlaces()
        #expect(places.take(client: "10.0.0.1", limit: 3, perClient: 2) == .taken)
        #expect(places.take(client: "10.0.0.1", limit: 3, perClient: 2) == .taken)
        #expect(places.take(client: "10.0.0.1", limit: 3, perClient: 2) == .clientFull)
        #expect(places.take(client: "10.0.0.2", limit: 3, perClient: 2) == .taken)
        #expect(places.take(client: "10.0.0.3", limit: 3, perClient: 2) == .full)
        #expect(places.take(client: nil, limit: 3, perClient: 2) == .full, "an unknown address counts in the total")
        places.giveBack(client: "10.0.0.1")
        #expect(places.total == 2)
        #expect(places.take(client: "10.0.0.3", limit: 3, perClient: 2) == .taken)
        #expect(places.take(client: "10.0.0.1", limit: 4, perClient: 2) == .taken, "10.0.0.1 has one place again")
    }
}
