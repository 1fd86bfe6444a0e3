/// What the balancer knows about one endpoint: its load, its latency and its ejection record.
struct EndpointLoad {
    /// Requests picked for this endpoint and not yet completed.
    var inFlight = 0
    /// Requests completed so far, whatever their outcome.
    var completed = 0
    /// The latency model (kept whatever the strategy, so a switch to `ewma` starts informed).
    var latency: PeakEWMA
    /// Gateway failures since the last answer or un-ejection.
    var consecutiveFailures = 0
    /// Whether the endpoint is ejected now.
    var isEjected = false
    /// When the current ejection ends (seconds on the balancer's clock); meaningful while ejected.
    var ejectedUntil: Double = 0
    /// Ejections so far, for display.
    var timesEjected = 0
    /// The multiplier of the base ejection time of the latest ejection (Envoy's `ejectTimeBackoff`).
    var ejectionMultiplier = 0
    /// When the endpoint was last un-ejected, from which the multiplier decays.
    var unejectedAt: Double?

    init(latency: PeakEWMA) {
        self.latency = latency
    }

    /// Ends one request: it leaves the in-flight count, and its outcome feeds the latency model and the run of
    /// gateway failures.
    mutating func record(_ outcome: RequestOutcome, at now: Double, settings: BalancerState.Settings) {
        inFlight -= 1
        completed += 1
        switch outcome {
        case .success(let sample), .otherError(let sample):
            latency.observe(sample.inSeconds, at: now, decay: settings.decay)
            consecutiveFailures = 0
        case .unavailable:
            latency.penalize(settings.failurePenalty, at: now, decay: settings.decay)
            consecutiveFailures += 1
        case .cancelled, .connectionFailed:
            break
        }
    }
}
