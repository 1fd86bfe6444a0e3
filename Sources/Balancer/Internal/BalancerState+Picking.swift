/// The strategies. Each looks first among usable endpoints that are not ejected and, when there is none,
/// among all usable ones: ejection is ignored rather than failing every request.
extension BalancerState {
    /// How many extra single draws P2C makes when a sampled endpoint is not eligible, before scanning.
    private static let extraDraws = 4

    /// Picks an endpoint for which `isUsable` holds and counts the request in flight there.
    ///
    /// - Parameters:
    ///   - isUsable: Whether the caller can send to an endpoint now.
    ///   - now: The time in seconds, read only when an ejection may have ended or a penalty is in force.
    mutating func pick(where isUsable: (EndpointAddress) -> Bool, now: () -> Double) -> Pick? {
        guard !endpoints.isEmpty else { return nil }
        if ejectedCount > 0 {
            unejectExpired(at: now())
        }
        let slot =
            if ejectedCount > 0 {
                choose(skippingEjected: true, isUsable, now) ?? choose(skippingEjected: false, isUsable, now)
            } else {
                choose(skippingEjected: false, isUsable, now)
            }
        guard let slot else { return nil }
        return commit(slot: slot)
    }

    private mutating func choose(
        skippingEjected: Bool,
        _ isUsable: (EndpointAddress) -> Bool,
        _ now: () -> Double
    ) -> Int? {
        switch strategy {
        case .roundRobin:
            return nextInTurn(skippingEjected: skippingEjected, isUsable)
        case .leastOutstanding, .ewma:
            return twoChoices(skippingEjected: skippingEjected, isUsable, now)
        }
    }

    private func isEligible(_ slot: Int, skippingEjected: Bool, _ isUsable: (EndpointAddress) -> Bool) -> Bool {
        !(skippingEjected && loads[slot].isEjected) && isUsable(endpoints[slot])
    }

    private mutating func nextInTurn(skippingEjected: Bool, _ isUsable: (EndpointAddress) -> Bool) -> Int? {
        let count = endpoints.count
        var slot = nextRoundRobin < count ? nextRoundRobin : 0
        for _ in 0..<count {
            let candidate = slot
            slot = slot + 1 == count ? 0 : slot + 1
            if isEligible(candidate, skippingEjected: skippingEjected, isUsable) {
                nextRoundRobin = slot
                return candidate
            }
        }
        return nil
    }

    /// Power of two choices: two distinct random eligible endpoints, the cheaper one (the first drawn on a tie).
    ///
    /// O(1) when most endpoints are eligible: two draws, then a few more if a drawn endpoint is not eligible,
    /// and only then a scan.
    private mutating func twoChoices(
        skippingEjected: Bool,
        _ isUsable: (EndpointAddress) -> Bool,
        _ now: () -> Double
    ) -> Int? {
        let count = endpoints.count
        if count == 1 {
            return isEligible(0, skippingEjected: skippingEjected, isUsable) ? 0 : nil
        }
        let first = draw(below: count)
        var second = draw(below: count - 1)
        if second >= first { second += 1 }
        let firstEligible = isEligible(first, skippingEjected: skippingEjected, isUsable)
        let secondEligible = isEligible(second, skippingEjected: skippingEjected, isUsable)
        if firstEligible && secondEligible {
            return cheaper(first, second, now)
        }
        var found: Int? = firstEligible ? first : (secondEligible ? second : nil)
        for _ in 0..<Self.extraDraws {
            let candidate = draw(below: count)
            guard candidate != found, isEligible(candidate, skippingEjected: skippingEjected, isUsable) else {
                continue
            }
            if let found {
                return cheaper(found, candidate, now)
            }
            found = candidate
        }
        return scan(skippingEjected: skippingEjected, isUsable, now)
    }

    /// Two choices by one pass over all endpoints: a uniform sample of two eligible ones (reservoir sampling).
    private mutating func scan(
        skippingEjected: Bool,
        _ isUsable: (EndpointAddress) -> Bool,
        _ now: () -> Double
    ) -> Int? {
        var seen = 0
        var first = 0
        var second = 0
        for slot in endpoints.indices where isEligible(slot, skippingEjected: skippingEjected, isUsable) {
            seen += 1
            if seen == 1 {
                first = slot
            } else if seen == 2 {
                second = slot
            } else {
                switch draw(below: seen) {
                case 0: first = slot
                case 1: second = slot
                default: break
                }
            }
        }
        switch seen {
        case 0: return nil
        case 1: return first
        default: return draw(below: 2) == 0 ? cheaper(first, second, now) : cheaper(second, first, now)
        }
    }

    /// The cheaper of two endpoints for the current strategy; `first` on a tie.
    private mutating func cheaper(_ first: Int, _ second: Int, _ now: () -> Double) -> Int {
        cost(second, now) < cost(first, now) ? second : first
    }

    private mutating func cost(_ slot: Int, _ now: () -> Double) -> Double {
        let inFlight = Double(loads[slot].inFlight)
        switch strategy {
        case .roundRobin, .leastOutstanding:
            return inFlight
        case .ewma:
            let latency =
                loads[slot].latency.hasPenalty
                ? loads[slot].latency.latency(at: now(), decay: settings.decay)
                : loads[slot].latency.estimate
            return latency * (inFlight + 1)
        }
    }

    /// A random integer in `0..<bound`; the modulo bias is negligible for endpoint counts.
    private mutating func draw(below bound: Int) -> Int {
        Int(truncatingIfNeeded: random.next() % UInt64(bound))
    }
}
