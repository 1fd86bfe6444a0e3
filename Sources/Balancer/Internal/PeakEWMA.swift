#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A peak-sensitive, time-weighted moving average of one endpoint's latency, plus a decaying failure penalty.
///
/// The rules follow Finagle's `PeakEwma` and tower's `PeakEwma` (used by Linkerd), with two documented
/// differences:
/// - **Peak:** a sample above the estimate replaces it at once, so a slowing endpoint is noticed on its
///   first slow reply.
/// - **Decay:** a sample at or below the estimate is mixed in with weight `1 − exp(−Δt/τ)`, where Δt is the
///   time since the previous sample: after τ of steady faster samples the old value keeps weight 1/e.
/// - **Idle:** unlike tower and Finagle, reading the estimate does not decay it towards 0. An idle endpoint
///   keeps its last estimate, and the first sample after a long idle time Δt largely replaces it (its old
///   value keeps weight `exp(−Δt/τ)`). Decaying towards 0 would make a slow endpoint that is rarely picked
///   look fast again merely because it was avoided.
/// - **Failures:** a gateway failure raises a separate penalty to `failurePenalty` (if it is lower), which
///   decays as `exp(−t/τ)` with the time since that failure and is added to the estimate when costs are
///   compared; repeated failures refresh it rather than pile up. This is Linkerd's `PenaltyPeakEwma` rule
///   (a penalty RTT that fades through the same decay window). Because it fades with time rather than with
///   samples, an endpoint that failed is eventually probed again even when nothing else is sent to it.
///
/// Times are seconds on the balancer's clock.
struct PeakEWMA {
    /// The latency estimate in seconds, without the penalty.
    private(set) var estimate: Double
    /// When the estimate last changed.
    private var updatedAt: Double
    /// The penalty in seconds at `penalizedAt`; 0 when there is none.
    private var penalty: Double = 0
    private var penalizedAt: Double = 0

    /// A penalty below this (one microsecond) is dropped, so costs stop consulting the clock for it.
    private static let negligiblePenalty = 1e-6

    init(estimate: Double, at now: Double) {
        self.estimate = estimate
        self.updatedAt = now
    }

    /// Whether a failure penalty is still in force, in which case the cost depends on the time.
    var hasPenalty: Bool { penalty > 0 }

    /// Records a latency sample.
    mutating func observe(_ latency: Double, at now: Double, decay: Double) {
        if latency > estimate {
            estimate = latency
        } else {
            let weight = exp(-max(0, now - updatedAt) / decay)
            estimate = estimate * weight + latency * (1 - weight)
        }
        updatedAt = now
    }

    /// Records a gateway failure.
    mutating func penalize(_ amount: Double, at now: Double, decay: Double) {
        let current = penalty(at: now, decay: decay)
        if amount >= current {
            penalty = amount
            penalizedAt = now
        }
    }

    /// The penalty left at `now`.
    func penalty(at now: Double, decay: Double) -> Double {
        guard penalty > 0 else { return 0 }
        return penalty * exp(-max(0, now - penalizedAt) / decay)
    }

    /// The estimate plus the penalty left at `now`, dropping a negligible penalty.
    mutating func latency(at now: Double, decay: Double) -> Double {
        let left = penalty(at: now, decay: decay)
        if left < Self.negligiblePenalty {
            penalty = 0
            return estimate
        }
        return estimate + left
    }
}
