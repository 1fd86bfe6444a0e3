extension LoadBalancer {
    /// A snapshot of a balancer's state.
    public struct Status: Sendable, Hashable {
        /// The strategy picks follow.
        public var strategy: BalancingStrategy
        /// The current endpoints, in discovery's order.
        public var endpoints: [EndpointStatus]
        /// Requests in flight, including those on endpoints removed since they were picked.
        public var inFlight: Int
        /// Ejections made so far (Envoy's `outlier_detection.ejections_enforced_total`).
        public var ejectionsEnforced: Int
        /// Ejections refused by the percentage limit (Envoy's `outlier_detection.ejections_overflow`).
        public var ejectionsOverflowed: Int
        /// Retries holding a permit now.
        public var activeRetries: Int
        /// Retries refused by the budget (Envoy's `upstream_rq_retry_overflow`).
        public var retryOverflows: Int
    }

    /// A snapshot of one endpoint's state.
    public struct EndpointStatus: Sendable, Hashable {
        /// The endpoint.
        public var endpoint: EndpointAddress
        /// Requests picked for it and not completed yet.
        public var inFlight: Int
        /// Requests picked for it and completed so far, whatever their outcome.
        public var completedRequests: Int
        /// Its peak-EWMA latency estimate, without the failure penalty.
        public var latencyEstimate: Duration
        /// What is left of its failure penalty.
        public var failurePenalty: Duration
        /// Gateway failures since its last answer or un-ejection.
        public var consecutiveFailures: Int
        /// How many times it has been ejected.
        public var timesEjected: Int
        /// When its current ejection ends, or nil when it is not ejected.
        public var ejectedUntil: ContinuousClock.Instant?
    }
}
