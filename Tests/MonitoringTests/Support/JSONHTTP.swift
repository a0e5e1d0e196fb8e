import Foundation
import TestSupport

/// GET requests that answer JSON, for the Prometheus and Alertmanager APIs.
enum JSONHTTP {
    /// Percent-encodes everything but RFC 3986's unreserved characters (for a query parameter).
    static func encode(_ value: String) -> String {
        var unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        unreserved.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    /// The parsed JSON of `GET path` on 127.0.0.1:`port`; throws unless the status is 200.
    static func get(port: Int, _ path: String) throws -> Any {
        let response = try HTTPTestClient.get(port: port, path: path, timeout: .seconds(15))
        guard response.status == 200 else {
            throw TestSupportError("GET \(path) answered \(response.status): \(response.text.prefix(500))")
        }
        return try JSONSerialization.jsonObject(with: Data(response.body))
    }
}

/// Typed access to parsed JSON.
extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? { self[key] as? String }
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func objects(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
    func labels(_ key: String) -> [String: String] { self[key] as? [String: String] ?? [:] }
}
