extension LoadBalancer {
    /// Every knob of a backend's balancer, with defaults taken from Envoy, Finagle and Linkerd.
    public struct Config: Sendable, Hashable {
        /// The latency model behind the `ewma` strategy (kept up to date whatever the strategy).
        public var ewma: EWMA
        /// Passive outlier ejection.
        public var ejection: Ejection
        /// The budget that bounds retries.
        public var retryBudget: RetryBudget.Config

        /// Creates a configuration.
        public init(ewma: EWMA = .defaults, ejection: Ejection = .defaults, retryBudget: RetryBudget.Config = .defaults)
        {
            self.ewma = ewma
            self.ejection = ejection
            self.retryBudget = retryBudget
        }

        /// The defaults of each part.
        public static var defaults: Config { Config() }
    }
}

extension LoadBalancer.Config {
    /// The peak-EWMA latency model.
    public struct EWMA: Sendable, Hashable {
        /// The time constant τ of the decay towards faster samples. Default: 10 s (Finagle's `decayTime`,
        /// Linkerd's `decay`).
        public var decay: Duration
        /// The estimate of an endpoint that joins a backend with no other endpoint; an endpoint joining a
        /// backend that has some starts at the mean of their estimates. Default: 10 ms (Envoy's peak-EWMA
        /// `default_rtt`; Linkerd uses 30 ms).
        public var defaultLatency: Duration
        /// The latency added to an endpoint's estimate by a gateway failure; it fades with time constant
        /// `decay`. Default: 1 s.
        public var failurePenalty: Duration

        /// Creates a latency model configuration.
        public init(
            decay: Duration = .seconds(10),
            defaultLatency: Duration = .milliseconds(10),
            failurePenalty: Duration = .seconds(1)
        ) {
            self.decay = decay
            self.defaultLatency = defaultLatency
            self.failurePenalty = failurePenalty
        }

        /// τ = 10 s, 10 ms for a new backend, 1 s penalty.
        public static var defaults: EWMA { EWMA() }
    }

    /// Passive outlier ejection on consecutive gateway failures (Envoy's `consecutive_gateway_failure`).
    public struct Ejection: Sendable, Hashable {
        /// Gateway failures in a row that eject an endpoint; 0 turns ejection off. Default: 5.
        public var consecutiveFailures: Int
        /// The ejection time, multiplied by the endpoint's ejection multiplier. Default: 30 s.
        public var baseTime: Duration
        /// The longest ejection. Default: 300 s.
        public var maxTime: Duration
        /// At most this share of a backend's endpoints is ejected at once, in percent: an ejection happens only
        /// if `100 × (ejected + 1) / endpoints ≤ maxPercent`, Envoy's rule. Default: 10.
        public var maxPercent: Int
        /// Allows one ejection even when `maxPercent` would refuse it (Envoy's `always_eject_one_host`).
        /// Default: true, unlike Envoy's false: with 10 % and fewer than 10 endpoints, which is most
        /// Kubernetes deployments, Envoy's rule alone never ejects anything.
        public var alwaysEjectOne: Bool
        /// Each time this passes without an ejection, the ejection multiplier drops by one (Envoy's
        /// `interval`). Default: 10 s.
        public var multiplierDecayInterval: Duration

        /// Creates an ejection configuration.
        public init(
            consecutiveFailures: Int = 5,
            baseTime: Duration = .seconds(30),
            maxTime: Duration = .seconds(300),
            maxPercent: Int = 10,
            alwaysEjectOne: Bool = true,
            multiplierDecayInterval: Duration = .seconds(10)
        ) {
            self.consecutiveFailures = consecutiveFailures
            self.baseTime = baseTime
            self.maxTime = maxTime
            self.maxPercent = maxPercent
            self.alwaysEjectOne = alwaysEjectOne
            self.multiplierDecayInterval = multiplierDecayInterval
        }

        /// 5 failures, 30 s × multiplier up to 300 s, 10 % but at least one endpoint, multiplier decay every 10 s.
        public static var defaults: Ejection { Ejection() }
    }
}
