/// The delays of one reconnecting loop: grows by the multiplier after each failure, resets after a success.
struct BackoffState: Sendable {
    private let config: KubernetesConfig.Backoff
    private var current: Duration

    /// Starts at the first delay.
    init(_ config: KubernetesConfig.Backoff) {
        self.config = config
        self.current = config.initial
    }

    /// The delay before the next attempt, jittered; the one after it is longer, up to the maximum.
    mutating func next(using random: inout some RandomNumberGenerator) -> Duration {
        let base = min(current, config.maximum)
        current = min(base * config.multiplier, config.maximum)
        let spread = config.jitter > 0 ? Double.random(in: -config.jitter...config.jitter, using: &random) : 0
        return base * (1 + spread)
    }

    /// Back to the first delay, after a success.
    mutating func reset() { current = config.initial }
}
