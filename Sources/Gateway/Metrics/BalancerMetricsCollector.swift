import Balancer
import Prometheus
import Synchronization

/// Turns each backend's `LoadBalancer.status()` into series when `/metrics` is scraped: per endpoint in-flight
/// requests, EWMA estimate and ejections; per backend load, ejections and retry-budget overflows.
///
/// Endpoint series exist only for the current endpoints: those of an endpoint that left (or of a backend
/// that a reload removed) are unregistered at the next scrape, which bounds their number.
final class BalancerMetricsCollector: Sendable {
    /// A running total read from a balancer, and the balancer it was read from: a reload makes new balancers,
    /// whose totals start again from zero.
    private struct Seen {
        var balancer: ObjectIdentifier
        var value: Int
    }

    private struct Series {
        var gauges: [String: Gauge] = [:]
        var counters: [String: Counter] = [:]
        var seen: [String: Seen] = [:]
    }

    private let registry: PrometheusCollectorRegistry
    private let series = Mutex(Series())

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Reads every balancer and updates the series; drops those of endpoints and backends no longer there.
    func collect(_ backends: [BackendRuntime]) {
        let statuses = backends.map { (name: $0.name, balancer: ObjectIdentifier($0.balancer), status: $0.balancer.status()) }
        series.withLock { series in
            var current = Series()
            for (name, balancer, status) in statuses {
                let backend = [("backend", name)]
                let ejected = status.endpoints.filter { $0.ejectedUntil != nil }.count
                gauge("portico_backend_in_flight", backend, "Requests in flight to a backend.", &series, &current)
                    .set(Double(status.inFlight))
                gauge(
                    "portico_backend_endpoints", backend + [("state", "serving")],
                    "A backend's endpoints, by state (ejected endpoints get no requests until their ejection ends).",
                    &series, &current
                ).set(Double(status.endpoints.count - ejected))
                gauge(
                    "portico_backend_endpoints", backend + [("state", "ejected")],
                    "A backend's endpoints, by state (ejected endpoints get no requests until their ejection ends).",
                    &series, &current
                ).set(Double(ejected))
                gauge("portico_backend_active_retries", backend, "Retries of a backend holding a budget permit now.", &series, &current)
                    .set(Double(status.activeRetries))
                total(
                    "portico_backend_ejections_total", backend, "Outlier ejections of a backend's endpoints.",
                    status.ejectionsEnforced, balancer, &series, &current)
                total(
                    "portico_backend_ejections_overflowed_total", backend,
                    "Ejections not made because too many of a backend's endpoints were ejected already.",
                    status.ejectionsOverflowed, balancer, &series, &current)
                total(
                    "portico_backend_retry_overflows_total", backend, "Retries refused because the retry budget was spent.",
                    status.retryOverflows, balancer, &series, &current)
                for endpoint in status.endpoints {
                    let labels = backend + [("endpoint", endpoint.endpoint.description)]
                    gauge("portico_endpoint_in_flight", labels, "Requests in flight to an endpoint.", &series, &current)
                        .set(Double(endpoint.inFlight))
                    gauge(
                        "portico_endpoint_latency_ewma_seconds", labels,
                        "An endpoint's peak-EWMA latency estimate, without failure penalty.", &series, &current
                    ).set(endpoint.latencyEstimate.inSeconds)
                    gauge("portico_endpoint_ejected", labels, "1 while an endpoint is ejected, else 0.", &series, &current)
                        .set(endpoint.ejectedUntil == nil ? 0.0 : 1.0)
                    total(
                        "portico_endpoint_ejections_total", labels, "Outlier ejections of an endpoint.",
                        endpoint.timesEjected, balancer, &series, &current)
                }
            }
            for (key, gauge) in series.gauges where current.gauges[key] == nil { registry.unregisterGauge(gauge) }
            for (key, counter) in series.counters where current.counters[key] == nil { registry.unregisterCounter(counter) }
            series = current
        }
    }

    private func gauge(
        _ name: String, _ labels: [(String, String)], _ help: String, _ old: inout Series, _ current: inout Series
    ) -> Gauge {
        let key = Self.key(name, labels)
        let gauge = old.gauges[key] ?? registry.gauge(name, labels, help: help)
        current.gauges[key] = gauge
        return gauge
    }

    /// Advances a counter by what a balancer's running total gained since the last scrape.
    private func total(
        _ name: String, _ labels: [(String, String)], _ help: String, _ value: Int, _ balancer: ObjectIdentifier,
        _ old: inout Series, _ current: inout Series
    ) {
        let key = Self.key(name, labels)
        let counter = old.counters[key] ?? registry.counter(name, labels, help: help)
        let previous = old.seen[key].flatMap { $0.balancer == balancer ? $0.value : nil } ?? 0
        if value > previous { counter.increment(by: Int64(value - previous)) }
        current.counters[key] = counter
        current.seen[key] = Seen(balancer: balancer, value: max(value, previous))
    }

    private static func key(_ name: String, _ labels: [(String, String)]) -> String {
        labels.reduce(name) { $0 + "|" + $1.0 + "=" + $1.1 }
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
