/// Bounds concurrent retries to a share of the active requests, so failures never multiply the load
/// (Envoy's `RetryBudget`: `budget_percent` 20 %, `min_retry_concurrency` 3).
///
/// A retry may start while the retries in flight are fewer than
/// `max(minimumConcurrentRetries, ⌊ratio × activeRequests⌋)`, as Envoy computes it
/// (`ResourceManagerImpl::RetryBudgetImpl`). Every permit granted must be released once.
public struct RetryBudget: Sendable, Hashable {
    /// The budget's limits.
    public struct Config: Sendable, Hashable {
        /// The share of the active requests that may be retries in flight. Default: 0.2.
        public var ratio: Double
        /// Retries always allowed in flight, however few requests are active. Default: 3.
        public var minimumConcurrentRetries: Int

        /// Creates a budget configuration.
        public init(ratio: Double = 0.2, minimumConcurrentRetries: Int = 3) {
            self.ratio = ratio
            self.minimumConcurrentRetries = minimumConcurrentRetries
        }

        /// 20 % of the active requests, at least 3.
        public static var defaults: Config { Config() }
    }

    /// The budget's limits.
    public var config: Config
    /// Retries holding a permit now.
    public private(set) var activeRetries = 0
    /// Retries refused because the budget was spent (Envoy's `upstream_rq_retry_overflow`).
    public private(set) var overflows = 0

    /// Creates a budget with no retry in flight.
    public init(config: Config = .defaults) {
        self.config = config
    }

    /// The retries allowed in flight when `activeRequests` requests are active.
    public func limit(activeRequests: Int) -> Int {
        max(config.minimumConcurrentRetries, Int(config.ratio * Double(max(0, activeRequests))))
    }

    /// Grants a permit for one retry if the budget allows it, or counts an overflow.
    ///
    /// - Parameter activeRequests: The requests in flight to the backend, retries included.
    /// - Returns: A permit to release when the retry ends, or nil when the retry must not be made.
    public mutating func tryAcquireRetry(activeRequests: Int) -> RetryPermit? {
        guard activeRetries < limit(activeRequests: activeRequests) else {
            overflows += 1
            return nil
        }
        activeRetries += 1
        return RetryPermit()
    }

    /// Returns a permit once its retry has ended.
    public mutating func release(_ permit: RetryPermit) {
        activeRetries = max(0, activeRetries - 1)
    }
}
