import Balancer
import Discovery
import Synchronization

/// What the admin endpoints report about a running gateway: its current runtime (swapped by reloads) and
/// where it is in its life.
package final class GatewayState: Sendable {
    /// Where the gateway is in its life.
    package enum Phase: String, Sendable {
        /// Built, not listening yet.
        case starting
        /// Listening and taking traffic.
        case serving
        /// SIGTERM or SIGINT arrived: `/readyz` fails, requests in flight finish.
        case draining
        /// Stopped.
        case stopped
    }

    /// Why `/readyz` answers as it does.
    package struct Readiness: Sendable, Equatable {
        /// Whether the gateway should get traffic.
        package var isReady: Bool
        /// Why not, or `ready`.
        package var reason: String
    }

    private let current: Mutex<(runtime: GatewayRuntime, phase: Phase)>
    private let kubernetes = Mutex<KubernetesDiscovery?>(nil)
    /// Every series of the gateway.
    package let metrics: GatewayMetrics

    package init(runtime: GatewayRuntime, metrics: GatewayMetrics) {
        self.current = Mutex((runtime, .starting))
        self.metrics = metrics
    }

    /// The runtime new requests are served with.
    package var runtime: GatewayRuntime {
        current.withLock { $0.runtime }
    }

    package var phase: Phase {
        current.withLock { $0.phase }
    }

    /// Makes `runtime` the one new requests are served with.
    package func install(_ runtime: GatewayRuntime) {
        current.withLock { $0.runtime = runtime }
    }

    /// The Kubernetes discovery client, once a backend names a Service.
    package var kubernetesDiscovery: KubernetesDiscovery? {
        kubernetes.withLock { $0 }
    }

    /// Makes readiness wait for `discovery` to list every watched Service once.
    package func follow(_ discovery: KubernetesDiscovery) {
        kubernetes.withLock { $0 = discovery }
    }

    package func enter(_ phase: Phase) {
        current.withLock { $0.phase = phase }
    }

    /// Ready when serving (not starting, draining or stopped), when Kubernetes discovery (if used) has listed
    /// every watched Service once and, unless the config says otherwise, when at least one backend has at least
    /// one endpoint.
    package var readiness: Readiness {
        let (runtime, phase) = current.withLock { ($0.runtime, $0.phase) }
        guard phase == .serving else { return Readiness(isReady: false, reason: phase.rawValue) }
        if let discovery = kubernetes.withLock({ $0 }), !discovery.isSynced {
            return Readiness(isReady: false, reason: "kubernetes discovery has not synced yet")
        }
        if runtime.config.lifecycle.readyRequiresEndpoints
            && !runtime.backends.contains(where: { !$0.balancer.endpoints.isEmpty })
        {
            return Readiness(isReady: false, reason: "no backend has an endpoint")
        }
        return Readiness(isReady: true, reason: "ready")
    }
}
