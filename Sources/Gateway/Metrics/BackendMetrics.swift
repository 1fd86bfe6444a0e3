import Prometheus

/// The series of one backend that its connections and calls update as things happen: connections and
/// retries. Load and ejection are read from the balancer at scrape time instead (`BalancerMetricsCollector`).
package final class BackendMetrics: Sendable {
    /// Upstream connections opened (HTTP/2 handshake done).
    private let connectionsOpened: Counter
    /// Upstream connection attempts that failed.
    private let connectionsFailed: Counter
    /// Upstream connections open now.
    private let connectionsOpen: Gauge
    /// GOAWAY frames received from the backend's pods.
    private let goAwaysReceived: Counter
    /// Calls tried again on another endpoint.
    private let retries: Counter

    init(registry: PrometheusCollectorRegistry, backend: String) {
        let labels = [("backend", backend)]
        connectionsOpened = registry.counter("portico_upstream_connections_opened_total", labels,
            help: "HTTP/2 connections to a backend's pods opened, summed over event loops.")
        connectionsFailed = registry.counter("portico_upstream_connections_failed_total", labels,
            help: "Attempts to connect to a backend's pods that failed.")
        connectionsOpen = registry.gauge("portico_upstream_connections_open", labels,
            help: "HTTP/2 connections to a backend's pods open now.")
        goAwaysReceived = registry.counter("portico_upstream_goaways_received_total", labels,
            help: "GOAWAY frames received from a backend's pods.")
        retries = registry.counter("portico_backend_retries_total", labels,
            help: "Calls tried again on another endpoint after a failure that never reached the backend.")
    }

    /// Counts a connection opened; it is open until `recordConnectionClosed()`.
    package func recordConnectionOpened() {
        connectionsOpened.increment()
        connectionsOpen.increment()
    }

    /// Counts the close of a connection counted by `recordConnectionOpened()`.
    package func recordConnectionClosed() {
        connectionsOpen.decrement()
    }

    /// Counts a connection attempt that failed.
    package func recordConnectionFailed() {
        connectionsFailed.increment()
    }

    /// Counts a GOAWAY received.
    package func recordGoAway() {
        goAwaysReceived.increment()
    }

    /// Counts a call tried again.
    package func recordRetry() {
        retries.increment()
    }
}
