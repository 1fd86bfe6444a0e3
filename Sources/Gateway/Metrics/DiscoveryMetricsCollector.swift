import Discovery
import Prometheus
import Synchronization

/// Turns Kubernetes discovery's statistics into series when `/metrics` is scraped: lists, relists after
/// 410 Gone, watch restarts and events applied as counters, the watches open and the age of the last
/// contact with the API server as gauges. (Endpoints per backend by state come with the balancer series.)
final class DiscoveryMetricsCollector: Sendable {
    private let lists: Prometheus.Counter
    private let relists: Prometheus.Counter
    private let watchRestarts: Prometheus.Counter
    private let events: Prometheus.Counter
    private let lastSyncAge: Prometheus.Gauge
    private let watchesOpen: Prometheus.Gauge
    /// The statistics at the last scrape, so that counters advance by what happened since.
    private let seen = Mutex(KubernetesDiscoveryStatistics())

    init(registry: PrometheusCollectorRegistry) {
        lists = registry.counter("portico_discovery_lists_total", help: "Successful lists of Kubernetes objects.")
        relists = registry.counter(
            "portico_discovery_relists_total", help: "Lists forced by an expired resource version (410 Gone).")
        watchRestarts = registry.counter(
            "portico_discovery_watch_restarts_total", help: "Kubernetes watches that ended and were resumed.")
        events = registry.counter(
            "portico_discovery_events_applied_total", help: "Added, modified and deleted watch events applied.")
        lastSyncAge = registry.gauge(
            "portico_discovery_last_sync_age_seconds",
            help: "Seconds since a list or watch event last arrived from the Kubernetes API server.")
        watchesOpen = registry.gauge(
            "portico_discovery_watches_open",
            help: "Watch requests open on the Kubernetes API server (shared by every backend of a namespace).")
    }

    func collect(_ discovery: KubernetesDiscovery?) {
        guard let discovery else { return }
        let now = discovery.statistics
        let before = seen.withLock { seen in
            defer { seen = now }
            return seen
        }
        lists.increment(by: Int64(now.lists - before.lists))
        relists.increment(by: Int64(now.relists - before.relists))
        watchRestarts.increment(by: Int64(now.watchRestarts - before.watchRestarts))
        events.increment(by: Int64(now.eventsApplied - before.eventsApplied))
        watchesOpen.set(Double(now.watchesOpen))
        if let last = now.lastSync {
            let age = ContinuousClock.now - last
            lastSyncAge.set(Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18)
        }
    }
}
