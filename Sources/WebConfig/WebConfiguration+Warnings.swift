extension WebConfiguration {
    /// What the configuration allows and an operator should change, one sentence each; logged as warnings at start
    /// and at every reload that applies it. Nothing here stops the configuration from loading.
    public var warnings: [String] {
        var warnings: [String] = []
        // An unknown user's password is verified against the costliest hash (BasicAuthenticator), so a user of a
        // cheaper one answers a wrong password sooner than a user who does not exist.
        let costs = Dictionary(grouping: basicAuthUsers.keys.sorted()) { BasicAuthenticator.cost(of: basicAuthUsers[$0] ?? "") }
        if costs.count > 1 {
            let listed = costs.keys.sorted().map { cost in "\(costs[cost, default: []].joined(separator: ", ")): \(cost)" }
            warnings.append(
                "basic_auth_users: the bcrypt costs differ (\(listed.joined(separator: "; "))): a wrong password for a user of a lower cost is answered sooner than one for a user who does not exist, which tells who exists; hash every password with one cost (htpasswd -nBC 10 USER)")
        }
        return warnings
    }
}
