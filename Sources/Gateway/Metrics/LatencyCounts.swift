/// The counts of a latency histogram: observations per bucket, their sum and their number, rendered as a
/// Prometheus histogram (cumulative `_bucket` lines, `_sum`, `_count`).
struct LatencyCounts {
    /// The upper bound of each bucket, in seconds, as `le` labels print them.
    static let bounds: [(seconds: Double, label: String)] = GatewayMetrics.latencyBuckets.map { bucket in
        (bucket.inSeconds, "\(bucket.inSeconds)")
    }

    /// Observations per bucket; the last counts those above every bound. Empty until the first observation:
    /// most series of a large config are never observed.
    private(set) var buckets: [UInt64] = []
    private(set) var sum = 0.0
    private(set) var count: UInt64 = 0

    mutating func record(_ duration: Duration) {
        let seconds = duration.inSeconds
        var index = 0
        while index < Self.bounds.count, seconds > Self.bounds[index].seconds { index += 1 }
        if buckets.isEmpty { buckets = [UInt64](repeating: 0, count: Self.bounds.count + 1) }
        buckets[index] += 1
        sum += seconds
        count += 1
    }

    /// Appends the histogram's sample lines for the series with `labels` (rendered, without braces).
    func write(name: String, labels: String, into text: inout String) {
        var cumulative: UInt64 = 0
        for (index, bound) in Self.bounds.enumerated() {
            cumulative += buckets.isEmpty ? 0 : buckets[index]
            text += "\(name)_bucket{\(labels),le=\"\(bound.label)\"} \(cumulative)\n"
        }
        text += "\(name)_bucket{\(labels),le=\"+Inf\"} \(count)\n"
        text += "\(name)_sum{\(labels)} \(sum)\n"
        text += "\(name)_count{\(labels)} \(count)\n"
    }
}
