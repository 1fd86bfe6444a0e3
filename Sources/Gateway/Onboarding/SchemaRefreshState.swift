import Balancer

/// When a `reflection` backend asks its pods for the schema, and which pod: a value-type state machine that
/// takes events (the pods changed, the timer fired, an exchange ended) and returns what to do.
///
/// - A pod never asked before is asked at once: a new pod may run a new version.
/// - After a good answer the next one is due a `refreshInterval` later, asked of the pods in turn.
/// - After a failure the other pods not yet tried are asked at once; when every pod has failed, the next
///   round waits 1 s, doubling up to the `refreshInterval`. The last good schema stays meanwhile.
/// - One exchange at a time.
struct SchemaRefreshState {
    /// What the driver does next.
    enum Action: Hashable {
        /// Ask this pod.
        case fetch(EndpointAddress)
        /// Fire the timer at this instant (replacing any armed before).
        case armTimer(ContinuousClock.Instant)
        /// Nothing until the next event (an exchange is under way, or there is no pod to ask).
        case idle
    }

    /// The pods, in their order.
    private var pods: [EndpointAddress] = []
    /// Pods that appeared and have not been asked yet, oldest first.
    private var unasked: [EndpointAddress] = []
    /// Pods that failed since the last good answer.
    private var failedInRound: Set<EndpointAddress> = []
    /// The pod being asked, if any.
    private(set) var asking: EndpointAddress?
    /// When the next refresh is due.
    private var due: ContinuousClock.Instant?
    /// Failed rounds in a row, for the backoff.
    private var failedRounds = 0
    /// Where the turn-taking stands.
    private var cursor = 0
    private let refreshInterval: Duration

    init(refreshInterval: Duration) {
        self.refreshInterval = refreshInterval
    }

    /// The pods are now `addresses`.
    mutating func podsChanged(to addresses: [EndpointAddress], now: ContinuousClock.Instant) -> Action {
        let known = Set(pods)
        unasked.append(contentsOf: addresses.filter { !known.contains($0) && !unasked.contains($0) })
        pods = addresses
        let present = Set(addresses)
        unasked.removeAll { !present.contains($0) }
        failedInRound.formIntersection(present)
        return next(now: now)
    }

    /// The armed timer fired.
    mutating func timerFired(now: ContinuousClock.Instant) -> Action {
        next(now: now)
    }

    /// The pod being asked answered with a usable schema.
    mutating func fetchSucceeded(now: ContinuousClock.Instant) -> Action {
        asking = nil
        failedInRound = []
        failedRounds = 0
        due = now + refreshInterval
        return next(now: now)
    }

    /// The pod being asked failed (unreachable, no reflection, late, or a schema that does not compile).
    mutating func fetchFailed(now: ContinuousClock.Instant) -> Action {
        if let pod = asking { failedInRound.insert(pod) }
        asking = nil
        if pods.contains(where: { !failedInRound.contains($0) }) {
            due = now  // another pod may answer: ask it at once
        } else {
            failedRounds += 1
            failedInRound = []
            due = now + min(refreshInterval, .seconds(1) * (1 << min(failedRounds - 1, 16)))
        }
        return next(now: now)
    }

    private mutating func next(now: ContinuousClock.Instant) -> Action {
        guard asking == nil else { return .idle }
        if !unasked.isEmpty {
            return ask(unasked.removeFirst())
        }
        guard !pods.isEmpty else { return .idle }
        guard let due, due > now else {
            let untried = pods.filter { !failedInRound.contains($0) }
            let candidates = untried.isEmpty ? pods : untried
            let pod = candidates[cursor % candidates.count]
            cursor += 1
            return ask(pod)
        }
        return .armTimer(due)
    }

    private mutating func ask(_ pod: EndpointAddress) -> Action {
        asking = pod
        return .fetch(pod)
    }
}
