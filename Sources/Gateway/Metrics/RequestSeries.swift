import Synchronization

/// The per-method and per-route request series of a gateway: found by their labels in constant time, kept
/// across reloads (a method or route that stays keeps its counts), and rendered in the Prometheus text format
/// when `/metrics` is scraped, those used so far only (a scrape's cost follows the methods in use).
final class RequestSeries: Sendable {
    private struct Tables {
        var methods: [MethodMetrics.Key: MethodMetrics] = [:]
        var routes: [RouteMetrics.Series.Key: RouteMetrics.Series] = [:]
    }

    private let tables = Mutex(Tables())
    private let used = UsedSeries()

    /// The series of a gRPC method, made on first request.
    func method(service: String, method: String, type: MethodMetrics.CallType, backend: String) -> MethodMetrics {
        let key = MethodMetrics.Key(service: service, method: method, type: type, backend: backend)
        return tables.withLock { tables in
            if let existing = tables.methods[key] { return existing }
            let made = MethodMetrics(key, used: used)
            tables.methods[key] = made
            return made
        }
    }

    /// The series of a route, made on first request.
    func route(template: String, httpMethod: String, method: MethodMetrics?) -> RouteMetrics {
        let key = RouteMetrics.Series.Key(route: template, httpMethod: httpMethod)
        let series = tables.withLock { tables in
            if let existing = tables.routes[key] { return existing }
            let made = RouteMetrics.Series(key, used: used)
            tables.routes[key] = made
            return made
        }
        return RouteMetrics(series: series, method: method)
    }

    /// Appends the families of every series that has counted something (with `initializeMethods`, every
    /// method's series, at zero before its first call).
    func write(initializeMethods: Bool, into text: inout String) {
        let methodSeries = initializeMethods ? tables.withLock { Array($0.methods.values) } : used.methods
        let methods = methodSeries.map { ($0.labels, $0.snapshot) }.sorted { $0.0 < $1.0 }
        let routes = used.routes.map { ($0.labels, $0.snapshot) }.sorted { $0.0 < $1.0 }
        Self.header(
            "grpc_server_started_total", "counter", "RPCs started on the server.", into: &text)
        for (labels, counts) in methods {
            text += "grpc_server_started_total{\(labels)} \(counts.started)\n"
        }
        Self.header(
            "grpc_server_handled_total", "counter", "RPCs completed on the server, regardless of success or failure.",
            into: &text)
        for (labels, counts) in methods {
            let handled = counts.handled.isEmpty ? [UInt64](repeating: 0, count: 17) : counts.handled
            for (code, count) in handled.enumerated() where count > 0 || initializeMethods {
                text +=
                    "grpc_server_handled_total{\(labels),grpc_code=\"\(GRPCStatusCode(rawValue: code).name)\"} \(count)\n"
            }
        }
        Self.header(
            "grpc_server_handling_seconds", "histogram",
            "Response latency (seconds) of gRPC that had been application-level handled by the server.", into: &text)
        for (labels, counts) in methods where counts.handling.count > 0 || initializeMethods {
            counts.handling.write(name: "grpc_server_handling_seconds", labels: labels, into: &text)
        }
        Self.header(
            "portico_http_requests_total", "counter",
            "JSON requests answered, by route template, HTTP method and status code.",
            into: &text)
        for (labels, counts) in routes {
            for (status, count) in counts.byStatus.sorted(by: { $0.key < $1.key }) {
                text += "portico_http_requests_total{\(labels),code=\"\(status)\"} \(count)\n"
            }
        }
        Self.header(
            "portico_http_request_duration_seconds", "histogram",
            "Time from a JSON request's arrival to the end of its reply, by route template.", into: &text)
        for (labels, counts) in routes {
            counts.duration.write(name: "portico_http_request_duration_seconds", labels: labels, into: &text)
        }
    }

    private static func header(_ name: String, _ type: String, _ help: String, into text: inout String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }
}
