import Balancer
import Synchronization

/// Renders every backend's series when `/metrics` is scraped: its connection and retry counts
/// (`BackendMetrics`) and its balancer's state, read then (load, ejections and retry-budget overflows per
/// backend; in-flight requests, EWMA estimate and ejections per endpoint).
///
/// A series appears once it has been used, as a labelled series of a Prometheus client does: a counter once it
/// has counted, a gauge once it has been non-zero, and an endpoint's series once the endpoint has had a call
/// or been ejected; a backend's load gauges come with its first answering
/// endpoint. The exception is `portico_backend_endpoints{state="serving"}`, there from the start, so that a
/// backend left with nothing to serve it reads 0 rather than nothing. An idle backend thus costs one line.
/// Series of endpoints and backends no longer there are dropped at the next scrape.
final class BackendSeriesWriter: Sendable {
    private let backends = Mutex<[String: BackendState]>([:])

    /// Appends the families of `backends` to `text`.
    func write(_ backends: [BackendRuntime], into text: inout String) {
        let statuses = backends.map { ($0, $0.balancer.status()) }
        var lines = [String](repeating: "", count: BackendFamily.allCases.count)
        self.backends.withLock { states in
            var next: [String: BackendState] = [:]
            for (backend, status) in statuses {
                var state = states[backend.name] ?? BackendState()
                state.render(backend, status, balancer: ObjectIdentifier(backend.balancer), into: &lines)
                next[backend.name] = state
            }
            states = next
        }
        for family in BackendFamily.allCases {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            text += lines[family.rawValue]
        }
    }
}
