/// A balancer's whole state, guarded by the balancer's lock.
///
/// Pure logic over times given in seconds on the balancer's clock, so that tests can drive it exactly.
/// Per-endpoint state lives in `loads`, parallel to `endpoints`; `slots` maps an address to its index and is
/// rebuilt on each update. Endpoints removed while requests are in flight move to `retired` until those
/// requests complete, so in-flight accounting survives any update.
struct BalancerState {
    /// The configuration, with durations turned into seconds once.
    struct Settings {
        var decay: Double
        var defaultLatency: Double
        var failurePenalty: Double
        var consecutiveFailures: Int
        var baseEjection: Double
        var maxEjection: Double
        var maxEjectionPercent: Int
        var alwaysEjectOne: Bool
        var multiplierDecayInterval: Double

        init(_ config: LoadBalancer.Config) {
            decay = max(config.ewma.decay.inSeconds, 1e-9)
            defaultLatency = config.ewma.defaultLatency.inSeconds
            failurePenalty = config.ewma.failurePenalty.inSeconds
            consecutiveFailures = config.ejection.consecutiveFailures
            baseEjection = config.ejection.baseTime.inSeconds
            maxEjection = max(config.ejection.maxTime.inSeconds, baseEjection)
            maxEjectionPercent = config.ejection.maxPercent
            alwaysEjectOne = config.ejection.alwaysEjectOne
            multiplierDecayInterval = max(config.ejection.multiplierDecayInterval.inSeconds, 1e-9)
        }
    }

    let settings: Settings
    var strategy: BalancingStrategy
    var random: any RandomNumberGenerator & Sendable
    var retryBudget: RetryBudget

    /// The current endpoints, in discovery's order, without duplicates.
    private(set) var endpoints: [EndpointAddress] = []
    /// Per-endpoint state, parallel to `endpoints`.
    var loads: [EndpointLoad] = []
    private var slots: [EndpointAddress: Int] = [:]
    private var retired: [EndpointAddress: EndpointLoad] = [:]
    /// Bumped by every update, so a ticket's slot is trusted only within its generation.
    private(set) var generation: UInt64 = 0
    /// Where round-robin resumes.
    var nextRoundRobin = 0
    /// Requests in flight on every endpoint, removed ones included.
    private(set) var totalInFlight = 0
    /// Current endpoints that are ejected now.
    var ejectedCount = 0
    /// The earliest end of a current ejection, or infinity.
    var nextUnejection = Double.infinity
    /// Ejections made, and ejections refused by the percentage limit.
    var ejectionsEnforced = 0
    var ejectionsOverflowed = 0

    init(
        strategy: BalancingStrategy,
        config: LoadBalancer.Config,
        random: any RandomNumberGenerator & Sendable
    ) {
        self.settings = Settings(config)
        self.strategy = strategy
        self.random = random
        self.retryBudget = RetryBudget(config: config.retryBudget)
    }

    /// Replaces the endpoint list, keeping the state of endpoints that stay or come back.
    ///
    /// A new endpoint's latency estimate starts at the mean of the estimates of the endpoints that stay, or at
    /// the default latency when none stays.
    mutating func update(endpoints newEndpoints: [EndpointAddress], at now: Double) {
        var sum = 0.0
        var staying = 0
        for address in newEndpoints {
            if let slot = slots[address] {
                sum += loads[slot].latency.estimate
                staying += 1
            }
        }
        let seed = staying > 0 ? sum / Double(staying) : settings.defaultLatency

        var newSlots = [EndpointAddress: Int](minimumCapacity: newEndpoints.count)
        var unique: [EndpointAddress] = []
        var newLoads: [EndpointLoad] = []
        unique.reserveCapacity(newEndpoints.count)
        newLoads.reserveCapacity(newEndpoints.count)
        for address in newEndpoints where newSlots[address] == nil {
            newSlots[address] = unique.count
            unique.append(address)
            if let slot = slots[address] {
                newLoads.append(loads[slot])
            } else if let load = retired.removeValue(forKey: address) {
                newLoads.append(load)
            } else {
                newLoads.append(EndpointLoad(latency: PeakEWMA(estimate: seed, at: now)))
            }
        }
        for (slot, address) in endpoints.enumerated() where newSlots[address] == nil && loads[slot].inFlight > 0 {
            retired[address] = loads[slot]
        }

        endpoints = unique
        loads = newLoads
        slots = newSlots
        generation &+= 1
        ejectedCount = 0
        nextUnejection = .infinity
        for load in loads where load.isEjected {
            ejectedCount += 1
            nextUnejection = min(nextUnejection, load.ejectedUntil)
        }
    }

    /// Counts a request as in flight on the endpoint at `slot` and makes its pick.
    mutating func commit(slot: Int) -> Pick {
        loads[slot].inFlight += 1
        totalInFlight += 1
        return Pick(ticket: Pick.Ticket(endpoint: endpoints[slot], slot: slot, generation: generation))
    }

    /// Ends a request: it leaves the in-flight count and its outcome feeds the latency model and ejection.
    ///
    /// A ticket whose endpoint is no longer known (completed twice, or from another balancer) is ignored.
    mutating func complete(_ ticket: Pick.Ticket, outcome: RequestOutcome, at now: Double) {
        let slot =
            ticket.generation == generation && ticket.slot < endpoints.count
                && endpoints[ticket.slot] == ticket.endpoint
            ? ticket.slot : slots[ticket.endpoint]
        if let slot {
            guard loads[slot].inFlight > 0 else { return }
            totalInFlight -= 1
            loads[slot].record(outcome, at: now, settings: settings)
            if case .unavailable = outcome, shouldEject(loads[slot]) {
                eject(slot: slot, at: now)
            }
        } else if var load = retired[ticket.endpoint], load.inFlight > 0 {
            totalInFlight -= 1
            load.record(outcome, at: now, settings: settings)
            retired[ticket.endpoint] = load.inFlight > 0 ? load : nil
        }
    }

    /// Grants a retry permit if the budget allows one with the requests now in flight.
    mutating func tryAcquireRetry() -> RetryPermit? {
        retryBudget.tryAcquireRetry(activeRequests: totalInFlight)
    }
}
