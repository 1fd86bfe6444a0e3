import Synchronization

/// What the watches of a `KubernetesDiscovery` have done so far, for metrics: how often they listed,
/// relisted after 410 Gone and restarted, how many changes they applied, how many are open, and when they
/// last heard from the API server.
public struct KubernetesDiscoveryStatistics: Sendable, Hashable {
    /// Successful lists, the first ones included.
    public var lists = 0
    /// Lists forced by an expired resource version (410 Gone).
    public var relists = 0
    /// Watches that ended and were resumed or retried.
    public var watchRestarts = 0
    /// Added, modified and deleted events applied from watch streams.
    public var eventsApplied = 0
    /// Watch requests streaming from the API server right now. The watches are shared: one for
    /// EndpointSlices (or Endpoints) and one for Services per namespace that has backends, or one of each
    /// for the whole cluster, however many backends there are.
    public var watchesOpen = 0
    /// When a list or an event last arrived; nil before the first.
    public var lastSync: ContinuousClock.Instant?

    /// Statistics of a client that has done nothing yet.
    public init() {}
}

/// Counts what the watches do; shared by every watch of one discovery client.
final class StatisticsRecorder: Sendable {
    private let statistics = Mutex(KubernetesDiscoveryStatistics())

    var current: KubernetesDiscoveryStatistics { statistics.withLock { $0 } }

    func recordList() {
        statistics.withLock {
            $0.lists += 1
            $0.lastSync = .now
        }
    }

    func recordRelist() { statistics.withLock { $0.relists += 1 } }

    func recordWatchRestart() { statistics.withLock { $0.watchRestarts += 1 } }

    func recordWatchOpened() { statistics.withLock { $0.watchesOpen += 1 } }

    func recordWatchClosed() { statistics.withLock { $0.watchesOpen -= 1 } }

    func recordEvent() {
        statistics.withLock {
            $0.eventsApplied += 1
            $0.lastSync = .now
        }
    }
}
