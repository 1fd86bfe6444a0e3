/// How a backend chooses a pod for each request.
///
/// The raw values are the names used in the configuration file and in the `portico.io/balancer` annotation.
public enum BalancingStrategy: String, Sendable, Hashable, CaseIterable {
    /// Each usable endpoint in turn.
    case roundRobin = "round-robin"
    /// Power of two choices on in-flight requests: of two random usable endpoints, the one with fewer requests
    /// in flight (Envoy's `least_request` with `choice_count` 2).
    case leastOutstanding = "least-outstanding"
    /// Power of two choices on `peak-EWMA latency × (in-flight + 1)` (Finagle's and Linkerd's peak EWMA).
    case ewma = "ewma"
}
