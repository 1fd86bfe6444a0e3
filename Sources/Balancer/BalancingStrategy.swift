/// How a backend chooses a pod for each request.
///
/// The raw values are the names used in the configuration file and in the `portico.io/balancer` annotation.
public enum BalancingStrategy: String, Sendable, Hashable, CaseIterable {
    /// Each usable endpoint in turn.
    case roundRobin = "round-robin"
    /// Power of two choices on in-flight requests: of two random usable endpoints, the one with fewer requests
    /// in flight (Envoy's `least_request` with `choice_count` 2).
    case leastOutstanding = "least-outstanding"
    /// Power of two choices on `(peak-EWMA latency + failure penalty) × (in-flight + 1)` (Finagle's and
    /// Linkerd's peak EWMA).
    ///
    /// A sample slower than the estimate replaces it at once; faster ones are mixed in with weight
    /// `1 − exp(−Δt/τ)`, Δt being the time since the previous sample. An idle estimate stays as it is (it does
    /// not decay towards 0). A new endpoint starts at the mean of the other endpoints' estimates. A gateway
    /// failure raises a penalty to ``LoadBalancer/Config/EWMA/failurePenalty`` that fades as `exp(−t/τ)`.
    /// A ticket's latency is the time to the response, or to the first response message for a stream.
    case ewma = "ewma"
}
