/// Proof that a retry fits in its backend's retry budget; release it exactly once when the retry ends.
public struct RetryPermit: Sendable, Hashable {
    init() {}
}
