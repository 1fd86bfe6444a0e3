import Synchronization

/// The request series that have counted something, in the order of their first use: what a scrape renders, so
/// that its cost follows the methods and routes in use, not the size of the config.
final class UsedSeries: Sendable {
    private struct Lists {
        var methods: [MethodMetrics] = []
        var routes: [RouteMetrics.Series] = []
    }

    private let lists = Mutex(Lists())

    func add(_ method: MethodMetrics) {
        lists.withLock { $0.methods.append(method) }
    }

    func add(_ route: RouteMetrics.Series) {
        lists.withLock { $0.routes.append(route) }
    }

    var methods: [MethodMetrics] { lists.withLock { $0.methods } }
    var routes: [RouteMetrics.Series] { lists.withLock { $0.routes } }
}

extension UsedSeries {
    /// Whether a series has listed itself yet, kept with its counts.
    struct Mark {
        private var isListed = false

        /// Marks the series listed; true the first time.
        mutating func firstUse() -> Bool {
            defer { isListed = true }
            return !isListed
        }
    }
}
