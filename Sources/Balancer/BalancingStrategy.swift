/// How a backend chooses a pod for each request.
public enum BalancingStrategy: String, Sendable, CaseIterable {
    /// Each ready endpoint in turn.
    case roundRobin = "round-robin"
}
