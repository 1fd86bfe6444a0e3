import Prometheus
import Synchronization

/// The HTTP series of one route (its path template and HTTP method), created when the route table is built.
///
/// `portico_http_requests_total` has a `code` label; the counter of each status is made the first time that
/// status is answered and then found by its number, never by a string.
package final class RouteMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let labels: [(String, String)]
    private let byStatus = Mutex<[Int: Counter]>([:])
    private let duration: DurationHistogram
    /// The gRPC method the route calls; nil for requests that matched no route.
    package let method: MethodMetrics?
    /// The `route` label: the path template, or `unmatched`.
    package let route: String
    /// The `method` label: the HTTP method.
    package let httpMethod: String

    init(registry: PrometheusCollectorRegistry, route: String, httpMethod: String, method: MethodMetrics?) {
        self.registry = registry
        self.labels = [("route", route), ("method", httpMethod)]
        self.method = method
        self.route = route
        self.httpMethod = httpMethod
        self.duration = registry.histogram("portico_http_request_duration_seconds", labels, buckets: GatewayMetrics.latencyBuckets,
            help: "Time from a JSON request's arrival to the end of its reply, by route template.")
    }

    /// Counts a request answered with `status` after `duration`.
    package func record(status: Int, duration elapsed: Duration) {
        counter(for: status).increment()
        duration.record(elapsed)
    }

    private func counter(for status: Int) -> Counter {
        byStatus.withLock { counters in
            if let counter = counters[status] { return counter }
            let counter = registry.counter("portico_http_requests_total", labels + [("code", String(status))],
                help: "JSON requests answered, by route template, HTTP method and status code.")
            counters[status] = counter
            return counter
        }
    }
}
