extension KubernetesConfig {
    /// Exponential backoff with jitter between reconnects, as client-go's reflector does it.
    public struct Backoff: Hashable, Sendable {
        /// The first delay. Default: 0.8 seconds.
        public var initial: Duration
        /// The longest delay. Default: 30 seconds.
        public var maximum: Duration
        /// Each failure multiplies the delay by this. Default: 2.
        public var multiplier: Double
        /// Each delay is moved at random by up to this fraction either way, so clients that failed
        /// together do not come back together. Default: 0.2.
        public var jitter: Double

        /// Creates a backoff.
        public init(initial: Duration, maximum: Duration, multiplier: Double = 2, jitter: Double = 0.2) {
            self.initial = initial
            self.maximum = maximum
            self.multiplier = multiplier
            self.jitter = jitter
        }

        /// 0.8 s doubling to 30 s, ±20 %.
        public static var defaults: Backoff { Backoff(initial: .milliseconds(800), maximum: .seconds(30)) }
    }
}
