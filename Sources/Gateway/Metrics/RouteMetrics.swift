import Synchronization

/// The HTTP series of one route (its path template and HTTP method), and the gRPC method it calls.
///
/// The counts are kept by Portico and rendered when `/metrics` is scraped: `portico_http_requests_total` has a
/// series per status answered so far, and the duration histogram appears with the first request.
package final class RouteMetrics: Sendable {
    /// The counts of one route's series, shared by the route tables of successive reloads (a reload may send
    /// the route to another method; its counts go on).
    final class Series: Sendable {
        struct Counts {
            var listing = UsedSeries.Mark()
            /// Requests answered, by HTTP status.
            var byStatus: [Int: UInt64] = [:]
            var duration = LatencyCounts()
        }

        /// What tells one route's series from another's.
        struct Key: Hashable {
            var route: String
            var httpMethod: String
        }

        let key: Key
        private let counts = Mutex(Counts())
        /// Where the series lists itself on first use (weak: the list holds the series).
        private weak let used: UsedSeries?

        init(_ key: Key, used: UsedSeries) {
            self.key = key
            self.used = used
        }

        /// The series' labels, rendered when scraped: `route="…",method="…"`.
        var labels: String { SeriesLabels.render([("route", key.route), ("method", key.httpMethod)]) }

        func record(status: Int, duration: Duration) {
            let first = counts.withLock { counts in
                counts.byStatus[status, default: 0] += 1
                counts.duration.record(duration)
                return counts.listing.firstUse()
            }
            if first { used?.add(self) }
        }

        /// The counts so far.
        var snapshot: Counts { counts.withLock { $0 } }
    }

    /// The gRPC method the route calls; nil for requests that matched no route.
    package let method: MethodMetrics?
    /// The `route` label: the path template, or `unmatched`.
    package var route: String { series.key.route }
    /// The `method` label: the HTTP method.
    package var httpMethod: String { series.key.httpMethod }
    private let series: Series

    init(series: Series, method: MethodMetrics?) {
        self.series = series
        self.method = method
    }

    /// Counts a request answered with `status` after `duration`.
    package func record(status: Int, duration: Duration) {
        series.record(status: status, duration: duration)
    }
}
