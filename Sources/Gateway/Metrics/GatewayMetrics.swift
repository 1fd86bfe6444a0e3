import CoreMetrics
import Discovery
import Foundation
import Prometheus
import Synchronization

/// Every metric of one gateway, in a registry of its own (two gateways in one process, as in the tests, never
/// share series), exposed in the Prometheus text format on the admin listener's `/metrics`.
///
/// The request series (per gRPC method and per route) are Portico's own counts, rendered at scrape time and
/// only once used, so that a route table of thousands of methods is built without registering anything; so
/// are the backends' series (`BackendSeriesWriter`). Series that describe state (balancer load, process) are
/// read when `/metrics` is scraped.
package final class GatewayMetrics: Sendable {
    /// The version `portico_build_info` reports.
    package static let version = "0.1.0"

    /// Latency buckets of the request histograms, in seconds: 1 ms to 30 s.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30),
    ]

    /// HTTP methods that get their own series for requests that match no route; any other is `other`.
    private static let knownHTTPMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// The registry holding every series.
    package let registry: PrometheusCollectorRegistry
    /// A swift-metrics factory writing into this gateway's registry, for code that records through swift-metrics.
    package var factory: any MetricsFactory { PrometheusMetricsFactory(registry: registry) }

    private let reloadsSucceeded: Prometheus.Counter
    private let reloadsFailed: Prometheus.Counter
    private let lastReload: Prometheus.Gauge
    private let conflicts: Prometheus.Gauge
    private let requests = RequestSeries()
    private let unmatched: [String: RouteMetrics]
    private let unmatchedOther: RouteMetrics
    private let process: ProcessMetrics
    private let backends = Mutex<[String: BackendMetrics]>([:])
    private let backendSeries = BackendSeriesWriter()
    private let discovery: DiscoveryMetricsCollector

    /// Creates the registry and the gateway-wide series.
    package init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        let reloadHelp = "Config reloads attempted, by result; a failed one leaves the previous config in force."
        reloadsSucceeded = registry.counter("portico_config_reloads_total", [("result", "success")], help: reloadHelp)
        reloadsFailed = registry.counter("portico_config_reloads_total", [("result", "failure")], help: reloadHelp)
        lastReload = registry.gauge("portico_config_last_reload_success_timestamp_seconds",
            help: "Unix time of the last config load that took effect (start-up included).")
        conflicts = registry.gauge(
            "portico_route_conflicts",
            help: "Routes and gRPC services of the live table left out because an earlier backend claims them "
                + "(see /routes).")
        var unmatched: [String: RouteMetrics] = [:]
        for method in Self.knownHTTPMethods {
            unmatched[method] = requests.route(template: "unmatched", httpMethod: method, method: nil)
        }
        self.unmatched = unmatched
        unmatchedOther = requests.route(template: "unmatched", httpMethod: "other", method: nil)
        process = ProcessMetrics(registry: registry, version: Self.version)
        discovery = DiscoveryMetricsCollector(registry: registry)
    }

    /// The series of a gRPC method; asking again for the same method gives the same series, so counts survive reloads.
    package func method(service: String, method: String, type: MethodMetrics.CallType, backend: String) -> MethodMetrics {
        requests.method(service: service, method: method, type: type, backend: backend)
    }

    /// The series of a route; asking again for the same template and HTTP method gives the same counts.
    package func route(template: String, httpMethod: String, method: MethodMetrics) -> RouteMetrics {
        requests.route(template: template, httpMethod: httpMethod, method: method)
    }

    /// The series of requests that matched no route, by HTTP method (bounded: unknown methods are `other`).
    package func unmatchedRoute(httpMethod: String) -> RouteMetrics {
        unmatched[httpMethod] ?? unmatchedOther
    }

    /// The counts of one backend's connections and retries; asking again for the same backend gives the same
    /// counts, so they survive reloads.
    package func backend(named name: String) -> BackendMetrics {
        backends.withLock { backends in
            if let existing = backends[name] { return existing }
            let made = BackendMetrics(backend: name)
            backends[name] = made
            return made
        }
    }

    /// Counts a config load that took effect.
    package func recordReloadSucceeded() {
        reloadsSucceeded.increment()
        lastReload.set(Date().timeIntervalSince1970)
    }

    /// Records how many routes and services the live table leaves out because of conflicts.
    package func recordConflicts(_ count: Int) {
        conflicts.set(Double(count))
    }

    /// Counts a config load that was rejected.
    package func recordReloadFailed() {
        reloadsFailed.increment()
    }

    /// Reads the balancers of `backends`, Kubernetes discovery's statistics and the process's state, then
    /// renders every series.
    ///
    /// Reads `/proc`: call it off the event loops.
    /// - Parameter initializeMethods: Render every method's request series, at zero before its first call,
    ///   instead of only those of methods called so far (go-grpc-prometheus' `InitializeMetrics`).
    package func exposition(backends: [BackendRuntime], kubernetes: KubernetesDiscovery?, initializeMethods: Bool)
        -> [UInt8]
    {
        discovery.collect(kubernetes)
        process.collect()
        var text = ""
        backendSeries.write(backends, into: &text)
        requests.write(initializeMethods: initializeMethods, into: &text)
        return registry.emitToBuffer() + Array(text.utf8)
    }
}
