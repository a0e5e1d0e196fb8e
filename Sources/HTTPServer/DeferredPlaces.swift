/// The places of the deferred-work queue: taken when a request is suspended, given back when it is answered. Taken
/// and counted in one step under the server's lock, so that two HTTP threads cannot both take the last place.
struct DeferredPlaces: Sendable {
    enum Outcome: Equatable {
        case taken
        /// The client address has its share already.
        case clientFull
        /// Every place is taken.
        case full
    }

    private(set) var total = 0
    private var byClient: [String: Int] = [:]

    /// Takes a place for `client` (nil: an address not known, counted in the total only) unless the limits forbid.
    mutating func take(client: String?, limit: Int, perClient: Int) -> Outcome {
        if let client, byClient[client, default: 0] >= perClient { return .clientFull }
        guard total < limit else { return .full }
        total += 1
        if let client { byClient[client, default: 0] += 1 }
        return .taken
    }

    /// Gives back a place `take` gave `client`.
    mutating func giveBack(client: String?) {
        total -= 1
        if let client {
            let left = byClient[client, default: 1] - 1
            byClient[client] = left > 0 ? left : nil
        }
    }
}
