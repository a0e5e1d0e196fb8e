import Exposition
import Gzip
public import HTTPServer

/// The exporter's routes, answered on libmicrohttpd's threads from the current snapshot only:
/// the telemetry path, `/` (landing page), `/-/healthy` and `/-/ready`. Other paths are 404; methods other
/// than GET and HEAD on a known path are 405. With basic authentication configured, every route but the probes
/// `/-/healthy` and `/-/ready` answers 401 without valid credentials: the probes reveal nothing but whether the
/// exporter serves and has finished its first runs, and a kubelet's probe carries no password. Credentials not
/// verified before are verified off the HTTP threads (``Authorizer``).
public struct WebHandler: HTTPHandler {
    private let store: SnapshotStore
    private let telemetryPath: String
    private let authorizer: Authorizer?

    public init(store: SnapshotStore, telemetryPath: String, authorizer: Authorizer? = nil) {
        self.store = store
        self.telemetryPath = telemetryPath
        self.authorizer = authorizer
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let route: Route
        switch request.path {
        case telemetryPath: route = .metrics
        case "/": route = .landingPage
        case "/-/healthy": route = .healthy
        case "/-/ready": route = .ready
        default: return .text(status: 404, "404 page not found\n")
        }
        if let authorizer, route != .healthy, route != .ready {
            let header = request.header("authorization")
            switch authorizer.decideQuickly(header) {
            case true?:
                break
            case false?:
                return Self.unauthorized
            case nil:
                return .deferred { [self] in
                    authorizer.verify(header) ? serve(route, request) : Self.unauthorized
                }
            }
        }
        return serve(route, request)
    }

    private static let unauthorized = HTTPResponse.text(
        status: 401, "401 Unauthorized\n",
        headers: [HTTPHeader(name: "WWW-Authenticate", value: "Basic realm=\"chat-exporter\", charset=\"UTF-8\"")])

    /// The answer for a request let in.
    private func serve(_ route: Route, _ request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .methodNotAllowed(allowed: ["GET", "HEAD"])
        }
        let snapshot = store.snapshot()
        switch route {
        case .metrics:
            return metrics(snapshot, request)
        case .landingPage:
            return HTTPResponse(status: 200, headers: [HTTPHeader(name: "Content-Type", value: "text/html; charset=utf-8")], body: snapshot.landingPage)
        case .healthy:
            return .text("chat-exporter is Healthy.\n")
        case .ready:
            return snapshot.isReady
                ? .text("chat-exporter is Ready.\n")
                : .text(status: 503, "chat-exporter is not ready: waiting for every collector's first run against a reachable database.\n")
        }
    }

    private func metrics(_ snapshot: Snapshot, _ request: HTTPRequest) -> HTTPResponse {
        let (format, contentType) = ExpositionFormat.negotiateResponse(accept: request.header("accept"))
        let gzip = Gzip.acceptsGzip(request.header("accept-encoding"))
        var headers = [HTTPHeader(name: "Content-Type", value: contentType), HTTPHeader(name: "Vary", value: "Accept, Accept-Encoding")]
        if gzip { headers.append(HTTPHeader(name: "Content-Encoding", value: "gzip")) }
        let body: HTTPBody = switch (format, gzip) {
        case (.prometheusText, false): snapshot.prometheusText
        case (.prometheusText, true): snapshot.prometheusTextGzip
        case (.openMetrics, false): snapshot.openMetrics
        case (.openMetrics, true): snapshot.openMetricsGzip
        }
        return HTTPResponse(status: 200, headers: headers, body: body)
    }

    private enum Route {
        case metrics, landingPage, healthy, ready
    }
}
