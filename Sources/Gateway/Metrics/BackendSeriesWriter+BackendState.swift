import Balancer
import Synchronization

extension BackendSeriesWriter {
    /// What the writer remembers of one backend between scrapes: which of its series have been used, and the
    /// balancer's running totals as counters that go on when a reload makes a new balancer.
    struct BackendState {
        /// A running total of a balancer, which starts from zero again in the balancer a reload makes.
        private struct RunningTotal {
            private var balancer: ObjectIdentifier?
            private var seen = 0
            /// What the exported counter holds.
            private(set) var exported = 0

            /// Advances by what `value` gained since the last scrape of the same balancer.
            mutating func update(_ value: Int, balancer: ObjectIdentifier) {
                let previous = self.balancer == balancer ? seen : 0
                if value > previous { exported += value - previous }
                seen = max(value, previous)
                self.balancer = balancer
            }
        }

        private struct EndpointState {
            var ejections = RunningTotal()
            var isUsed = false
        }

        private var used: Set<BackendFamily> = []
        private var ejections = RunningTotal()
        private var ejectionsOverflowed = RunningTotal()
        private var retryOverflows = RunningTotal()
        private var endpoints: [String: EndpointState] = [:]

        /// Appends the backend's series to `lines` (one string per `BackendFamily`).
        mutating func render(
            _ backend: BackendRuntime, _ status: LoadBalancer.Status, balancer: ObjectIdentifier,
            into lines: inout [String]
        ) {
            let labels = SeriesLabels.render([("backend", backend.name)])
            var endpointStates: [String: EndpointState] = [:]
            var hasServed = false
            for endpoint in status.endpoints {
                let key = endpoint.endpoint.description
                var state = endpoints[key] ?? EndpointState()
                state.ejections.update(endpoint.timesEjected, balancer: balancer)
                state.isUsed =
                    state.isUsed || endpoint.completedRequests > 0 || endpoint.inFlight > 0
                    || endpoint.ejectedUntil != nil || state.ejections.exported > 0
                endpointStates[key] = state
                guard state.isUsed else { continue }
                hasServed = true
                let endpointLabels = labels + "," + SeriesLabels.render([("endpoint", key)])
                Self.append(.endpointInFlight, endpointLabels, "\(endpoint.inFlight)", to: &lines)
                Self.append(.endpointLatency, endpointLabels, "\(endpoint.latencyEstimate.inSeconds)", to: &lines)
                Self.append(.endpointEjected, endpointLabels, endpoint.ejectedUntil == nil ? "0" : "1", to: &lines)
                Self.append(.endpointEjections, endpointLabels, "\(state.ejections.exported)", to: &lines)
            }
            endpoints = endpointStates

            let ejected = status.endpoints.filter { $0.ejectedUntil != nil }.count
            Self.append(.endpoints, labels + ",state=\"serving\"", "\(status.endpoints.count - ejected)", to: &lines)
            emit(.endpoints, ejected, labels + ",state=\"ejected\"", into: &lines)
            emit(.inFlight, status.inFlight, labels, shown: hasServed, into: &lines)
            emit(.activeRetries, status.activeRetries, labels, shown: hasServed, into: &lines)
            ejections.update(status.ejectionsEnforced, balancer: balancer)
            emit(.ejections, ejections.exported, labels, into: &lines)
            ejectionsOverflowed.update(status.ejectionsOverflowed, balancer: balancer)
            emit(.ejectionsOverflowed, ejectionsOverflowed.exported, labels, into: &lines)
            retryOverflows.update(status.retryOverflows, balancer: balancer)
            emit(.retryOverflows, retryOverflows.exported, labels, into: &lines)
            let metrics = backend.metrics
            emit(.retries, metrics.retries.load(ordering: .relaxed), labels, into: &lines)
            let opened = metrics.connectionsOpened.load(ordering: .relaxed)
            emit(.connectionsOpened, opened, labels, into: &lines)
            emit(.connectionsFailed, metrics.connectionsFailed.load(ordering: .relaxed), labels, into: &lines)
            emit(.connectionsOpen, metrics.connectionsOpen.load(ordering: .relaxed), labels, shown: opened > 0, into: &lines)
            emit(.goAwaysReceived, metrics.goAwaysReceived.load(ordering: .relaxed), labels, into: &lines)
            let fetches: [(BackendMetrics.SchemaFetchOutcome, Int)] = [
                (.updated, metrics.schemasUpdated.load(ordering: .relaxed)),
                (.unchanged, metrics.schemasUnchanged.load(ordering: .relaxed)),
                (.failed, metrics.schemaFailures.load(ordering: .relaxed)),
            ]
            if fetches.contains(where: { $0.1 > 0 }) { used.insert(.schemaFetches) }
            if used.contains(.schemaFetches) {
                for (outcome, count) in fetches {
                    Self.append(.schemaFetches, labels + ",result=\"\(outcome.rawValue)\"", "\(count)", to: &lines)
                }
            }
        }

        /// Appends a series once it has been non-zero (or `shown` says it belongs with series in use).
        private mutating func emit(
            _ family: BackendFamily, _ value: Int, _ labels: String, shown: Bool = false, into lines: inout [String]
        ) {
            if value != 0 || shown { used.insert(family) }
            guard used.contains(family) else { return }
            Self.append(family, labels, "\(value)", to: &lines)
        }

        private static func append(_ family: BackendFamily, _ labels: String, _ value: String, to lines: inout [String]) {
            lines[family.rawValue] += "\(family.name){\(labels)} \(value)\n"
        }
    }
}
