import Balancer
import Logging
import Synchronization

/// How the gateway's connections to each pod of one backend stand, over every event loop, as gRPC's
/// connectivity states: a pod is `ready` when some loop has a connection that takes streams, `connecting`
/// while one is opening, `transient_failure` when every loop's last attempt failed and waits for its backoff.
///
/// Read by `/endpoints`. A pod whose connections start failing, and one that recovers, is logged here at info,
/// once for all loops.
package final class EndpointConnectivity: Sendable {
    /// Where a pod's connections stand.
    package enum State: String, Sendable {
        /// No connection is open or opening (a pod the gateway has not needed yet, or one that left).
        case idle
        case connecting
        case ready
        case transientFailure = "transient_failure"
    }

    private struct Entry {
        /// The state each loop's connections to the pod report, by the reporting object.
        var reports: [ObjectIdentifier: State] = [:]
        var overall: State = .idle
        /// Logged as failing and not ready since: the reconnect attempts in between log nothing.
        var failing = false
    }

    private let backend: String
    private let entries = Mutex<[EndpointAddress: Entry]>([:])

    package init(backend: String) {
        self.backend = backend
    }

    /// The state of `endpoint`'s connections over every loop.
    package func state(of endpoint: EndpointAddress) -> State {
        entries.withLock { $0[endpoint]?.overall ?? .idle }
    }

    /// Records what one loop's connections to `endpoint` report; `nil` when they stopped for good.
    ///
    /// - Parameters:
    ///   - reporter: Identifies the loop's connections to the pod.
    ///   - reason: Why the last connection attempt failed, for the log line.
    func record(
        _ state: State?, of endpoint: EndpointAddress, reporter: ObjectIdentifier, reason: String?, logger: Logger
    ) {
        enum Change { case failing, recovered }
        let change: Change? = entries.withLock { entries in
            var entry = entries[endpoint] ?? Entry()
            entry.reports[reporter] = state
            entry.overall = Self.overall(entry.reports.values)
            var change: Change?
            if entry.overall == .transientFailure && !entry.failing {
                entry.failing = true
                change = .failing
            } else if entry.overall == .ready && entry.failing {
                entry.failing = false
                change = .recovered
            }
            entries[endpoint] = entry.reports.isEmpty ? nil : entry
            return change
        }
        switch change {
        case .failing:
            logger.info(
                "connections to endpoint failing; retrying with backoff",
                metadata: ["backend": "\(backend)", "endpoint": "\(endpoint)", "error": "\(reason ?? "unknown")"])
        case .recovered:
            logger.info(
                "connections to endpoint recovered", metadata: ["backend": "\(backend)", "endpoint": "\(endpoint)"])
        case nil:
            break
        }
    }

    private static func overall(_ reports: some Collection<State>) -> State {
        if reports.contains(.ready) { return .ready }
        if reports.contains(.connecting) { return .connecting }
        if reports.contains(.transientFailure) { return .transientFailure }
        return .idle
    }
}
