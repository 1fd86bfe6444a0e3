import Balancer
import Logging
import NIOCore

/// One request's measurements, from its arrival to the end of its reply: they go to its route's and method's
/// series and, with the access log on, to one log line. Lives on the request's event loop.
///
/// The access line holds the method, route template (never the raw path, which may carry secrets), status,
/// gRPC code, duration and backend endpoint; no header is ever logged.
final class RequestRecord {
    private let started = NIODeadline.now()
    private let route: RouteMetrics?
    private let method: MethodMetrics?
    private let accessLog: Logger?
    private let httpMethod: String
    private let routeName: String
    private var finished = false
    /// The endpoint that served the call, once one was picked.
    var endpoint: EndpointAddress?

    /// - Parameters:
    ///   - route: The route's series, for a JSON request.
    ///   - method: The gRPC method's series; nil when the request reached no method.
    ///   - accessLog: Where the access line goes; nil when the access log is off.
    ///   - httpMethod: The HTTP method as the series label it (`POST` for native gRPC).
    ///   - routeName: The route template, or the gRPC path of a native call.
    init(route: RouteMetrics?, method: MethodMetrics?, accessLog: Logger?, httpMethod: String, routeName: String) {
        self.route = route
        self.method = method
        self.accessLog = accessLog
        self.httpMethod = httpMethod
        self.routeName = routeName
        method?.recordStarted()
    }

    /// Records the end of the request, once; later calls are ignored.
    ///
    /// - Parameters:
    ///   - httpStatus: The HTTP status of a JSON reply; nil for a native gRPC call.
    ///   - code: The call's gRPC status.
    func finish(httpStatus: Int?, code: GRPCStatusCode) {
        guard !finished else { return }
        finished = true
        let duration = Duration.nanoseconds((NIODeadline.now() - started).nanoseconds)
        if let httpStatus { route?.record(status: httpStatus, duration: duration) }
        method?.recordHandled(code, duration: duration)
        guard let accessLog else { return }
        var metadata: Logger.Metadata = [
            "method": "\(httpMethod)", "route": "\(routeName)", "grpc_code": "\(code.name)",
            "duration_ms": "\((duration.inSeconds * 1_000_000).rounded() / 1000)",
        ]
        if let httpStatus { metadata["status"] = "\(httpStatus)" }
        if let endpoint { metadata["endpoint"] = "\(endpoint)" }
        accessLog.info("access", metadata: metadata)
    }
}

@available(*, unavailable)
extension RequestRecord: Sendable {}
