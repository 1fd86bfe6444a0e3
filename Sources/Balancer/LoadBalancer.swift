import Synchronization

/// Chooses an endpoint of one backend for each request, and learns from how each request ends.
///
/// The endpoint list comes from discovery and may change at any time; a pick only ever returns an endpoint of
/// the current list that the caller reports usable (for example: a connection to it can take a stream now).
/// Each pick counts a request in flight on its endpoint until its ticket is completed; that count, the
/// latency model and the ejection record of an endpoint survive list updates and strategy switches.
///
/// The strategies are in ``BalancingStrategy``; passive outlier ejection and the retry budget apply to all
/// of them. Safe to use from any thread; every call holds the balancer's lock briefly and never calls out
/// except to `isUsable`.
public final class LoadBalancer: Sendable {
    private let state: Mutex<BalancerState>
    private let clock: @Sendable () -> ContinuousClock.Instant
    /// The instant the balancer's internal times count from.
    private let origin: ContinuousClock.Instant

    /// Creates a balancer with no endpoints, on the system's clock and a randomly seeded generator.
    public convenience init(strategy: BalancingStrategy, config: Config = .defaults) {
        self.init(strategy: strategy, config: config, clock: { ContinuousClock.now }, random: SplitMix64())
    }

    /// Creates a balancer with no endpoints, on the given clock and random source (for deterministic tests).
    ///
    /// - Parameters:
    ///   - strategy: How endpoints are chosen; ``setStrategy(_:)`` changes it later.
    ///   - config: Latency model, ejection and retry budget settings.
    ///   - clock: Returns the current time; it must never go backwards.
    ///   - random: The source of the random choices.
    public init(
        strategy: BalancingStrategy,
        config: Config,
        clock: @escaping @Sendable () -> ContinuousClock.Instant,
        random: some RandomNumberGenerator & Sendable
    ) {
        self.clock = clock
        self.origin = clock()
        self.state = Mutex(BalancerState(strategy: strategy, config: config, random: random))
    }

    /// The strategy picks follow now.
    public var strategy: BalancingStrategy {
        state.withLock { $0.strategy }
    }

    /// Switches strategy; requests in flight and everything learned about the endpoints are kept.
    public func setStrategy(_ strategy: BalancingStrategy) {
        state.withLock { $0.strategy = strategy }
    }

    /// The endpoints picks are made from, in the order discovery gave them.
    public var endpoints: [EndpointAddress] {
        state.withLock { $0.endpoints }
    }

    /// Replaces the endpoint list; duplicates are dropped.
    ///
    /// Endpoints that stay keep their state. An endpoint that leaves gets no more picks; its requests in flight
    /// may still be completed, and if it comes back before they are, it keeps its state. A new endpoint's
    /// latency estimate starts at the mean of the estimates of the endpoints that stay, or at
    /// ``Config/EWMA/defaultLatency`` when none does.
    public func update(endpoints: [EndpointAddress]) {
        let now = seconds()
        state.withLock { $0.update(endpoints: endpoints, at: now) }
    }

    /// Picks an endpoint for which `isUsable` holds, following the current strategy, and counts the request in
    /// flight there.
    ///
    /// Ejected endpoints are passed over unless no other endpoint is usable. Costs O(1) when most endpoints are
    /// usable.
    ///
    /// - Parameter isUsable: Called under the balancer's lock for candidate endpoints; it must be quick and
    ///   must not call back into the balancer.
    /// - Returns: The chosen endpoint and a ticket that must be completed exactly once with
    ///   ``complete(_:outcome:)``, or nil if the list is empty or no endpoint is usable.
    public func pick(where isUsable: (EndpointAddress) -> Bool) -> Pick? {
        state.withLock { state in
            state.pick(where: isUsable, now: seconds)
        }
    }

    /// Ends the request of `ticket`: it stops counting in flight, and its outcome feeds the latency model and
    /// outlier ejection.
    ///
    /// Completing the ticket of an endpoint that was removed since is harmless.
    public func complete(_ ticket: Pick.Ticket, outcome: RequestOutcome) {
        let now = seconds()
        state.withLock { $0.complete(ticket, outcome: outcome, at: now) }
    }

    /// Grants a permit for one retry if the retry budget allows it with the requests now in flight, or counts
    /// an overflow.
    ///
    /// - Returns: A permit to give back with ``release(_:)`` when the retry ends, or nil when the retry must not
    ///   be made.
    public func tryAcquireRetry() -> RetryPermit? {
        state.withLock { $0.tryAcquireRetry() }
    }

    /// Gives back a retry permit once its retry has ended.
    public func release(_ permit: RetryPermit) {
        state.withLock { $0.retryBudget.release(permit) }
    }

    /// What the balancer knows now, for the admin endpoints and metrics.
    public func status() -> Status {
        let now = seconds()
        return state.withLock { state in
            state.unejectExpired(at: now)
            let endpoints = zip(state.endpoints, state.loads).map { endpoint, load in
                EndpointStatus(
                    endpoint: endpoint,
                    inFlight: load.inFlight,
                    completedRequests: load.completed,
                    latencyEstimate: .seconds(load.latency.estimate),
                    failurePenalty: .seconds(load.latency.penalty(at: now, decay: state.settings.decay)),
                    consecutiveFailures: load.consecutiveFailures,
                    timesEjected: load.timesEjected,
                    ejectedUntil: load.isEjected ? origin + .seconds(load.ejectedUntil) : nil
                )
            }
            return Status(
                strategy: state.strategy,
                endpoints: endpoints,
                inFlight: state.totalInFlight,
                ejectionsEnforced: state.ejectionsEnforced,
                ejectionsOverflowed: state.ejectionsOverflowed,
                activeRetries: state.retryBudget.activeRetries,
                retryOverflows: state.retryBudget.overflows
            )
        }
    }

    /// The time in seconds since the balancer was created.
    private func seconds() -> Double {
        origin.duration(to: clock()).inSeconds
    }
}
