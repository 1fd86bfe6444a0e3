/// Passive outlier ejection, after Envoy's `consecutive_gateway_failure` detector
/// (`source/common/upstream/outlier_detection_impl.cc`), evaluated lazily instead of on a timer.
extension BalancerState {
    /// Whether an endpoint's run of gateway failures calls for an ejection.
    func shouldEject(_ load: EndpointLoad) -> Bool {
        settings.consecutiveFailures > 0 && !load.isEjected && load.consecutiveFailures >= settings.consecutiveFailures
    }

    /// Ejects the current endpoint at `slot` if the percentage limit allows it.
    ///
    /// As in Envoy's `ejectHost`: allowed when `100 × (ejected + 1) / endpoints ≤ maxPercent`, or when nothing is
    /// ejected and `alwaysEjectOne` is set; the failure run restarts whether or not the ejection happens. The
    /// ejection lasts `min(base × multiplier, max)`; the multiplier grows by one per ejection until that
    /// reaches `max` and drops by one per `multiplierDecayInterval` spent un-ejected (Envoy decrements it on
    /// each detector interval; here the decrements are counted when the endpoint is ejected again).
    mutating func eject(slot: Int, at now: Double) {
        unejectExpired(at: now)
        loads[slot].consecutiveFailures = 0
        let withinPercent = 100 * (ejectedCount + 1) <= settings.maxEjectionPercent * endpoints.count
        guard withinPercent || (settings.alwaysEjectOne && ejectedCount == 0) else {
            ejectionsOverflowed += 1
            return
        }
        var load = loads[slot]
        if let unejectedAt = load.unejectedAt {
            let intervals = ((now - unejectedAt) / settings.multiplierDecayInterval).rounded(.down)
            load.ejectionMultiplier = max(0, load.ejectionMultiplier - Int(min(intervals, Double(Int.max / 2))))
            load.unejectedAt = nil
        }
        if Double(load.ejectionMultiplier) * settings.baseEjection < settings.maxEjection {
            load.ejectionMultiplier += 1
        }
        load.isEjected = true
        load.ejectedUntil = now + min(Double(load.ejectionMultiplier) * settings.baseEjection, settings.maxEjection)
        load.timesEjected += 1
        loads[slot] = load
        ejectedCount += 1
        ejectionsEnforced += 1
        nextUnejection = min(nextUnejection, load.ejectedUntil)
    }

    /// Returns endpoints whose ejection has ended to service, if any has.
    ///
    /// O(1) unless an ejection has ended, then one pass over the endpoints.
    mutating func unejectExpired(at now: Double) {
        guard now >= nextUnejection else { return }
        var next = Double.infinity
        for slot in loads.indices where loads[slot].isEjected {
            if loads[slot].ejectedUntil <= now {
                loads[slot].isEjected = false
                loads[slot].consecutiveFailures = 0
                loads[slot].unejectedAt = loads[slot].ejectedUntil
                ejectedCount -= 1
            } else {
                next = min(next, loads[slot].ejectedUntil)
            }
        }
        nextUnejection = next
    }
}
