import Synchronization

/// The counts of one backend that its connections and calls update as things happen: connections and
/// retries. Kept by Portico (one per backend name, so that they survive reloads) and rendered at scrape time
/// by `BackendSeriesWriter`, with the balancer's state read then.
package final class BackendMetrics: Sendable {
    /// The backend's name, the `backend` label.
    let backend: String
    /// Upstream connections opened (HTTP/2 handshake done).
    let connectionsOpened = Atomic<Int>(0)
    /// Upstream connection attempts that failed.
    let connectionsFailed = Atomic<Int>(0)
    /// Upstream connections open now.
    let connectionsOpen = Atomic<Int>(0)
    /// GOAWAY frames received from the backend's pods.
    let goAwaysReceived = Atomic<Int>(0)
    /// Calls tried again on another endpoint.
    let retries = Atomic<Int>(0)
    /// Reflection exchanges that brought a new schema.
    let schemasUpdated = Atomic<Int>(0)
    /// Reflection exchanges that brought the schema in force again.
    let schemasUnchanged = Atomic<Int>(0)
    /// Reflection exchanges that failed, or brought a schema that could not be used.
    let schemaFailures = Atomic<Int>(0)

    init(backend: String) {
        self.backend = backend
    }

    /// Counts a connection opened; it is open until `recordConnectionClosed()`.
    package func recordConnectionOpened() {
        connectionsOpened.add(1, ordering: .relaxed)
        connectionsOpen.add(1, ordering: .relaxed)
    }

    /// Counts the close of a connection counted by `recordConnectionOpened()`.
    package func recordConnectionClosed() {
        connectionsOpen.subtract(1, ordering: .relaxed)
    }

    /// Counts a connection attempt that failed.
    package func recordConnectionFailed() {
        connectionsFailed.add(1, ordering: .relaxed)
    }

    /// Counts a GOAWAY received.
    package func recordGoAway() {
        goAwaysReceived.add(1, ordering: .relaxed)
    }

    /// Counts a reflection exchange by its outcome.
    package func recordSchemaFetch(_ outcome: SchemaFetchOutcome) {
        switch outcome {
        case .updated: schemasUpdated.add(1, ordering: .relaxed)
        case .unchanged: schemasUnchanged.add(1, ordering: .relaxed)
        case .failed: schemaFailures.add(1, ordering: .relaxed)
        }
    }

    /// How a reflection exchange with a backend's pod ended.
    package enum SchemaFetchOutcome: String, Sendable {
        /// A new schema, now served.
        case updated
        /// The schema in force, again.
        case unchanged
        /// No usable answer; the last good schema stays.
        case failed
    }

    /// Counts a call tried again.
    package func recordRetry() {
        retries.add(1, ordering: .relaxed)
    }
}
