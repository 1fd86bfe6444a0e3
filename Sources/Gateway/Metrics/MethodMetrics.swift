import Synchronization

/// The go-grpc-prometheus series of one gRPC method: counts kept by Portico and rendered when `/metrics` is
/// scraped, so that a thousand services cost nothing until they are called (and finding a method's series
/// never searches a registry).
///
/// Every call to the method counts, whether it came as native gRPC or as a JSON request transcoded to gRPC.
/// Besides go-grpc-prometheus's labels each series has a `backend` label, so that dashboards can group by
/// backend; queries that sum by the usual labels are unaffected. A series appears once the method has been
/// called, unless the gateway pre-creates every method's series at zero (`metrics.initializeMethods`, as
/// go-grpc-prometheus' `InitializeMetrics`).
package final class MethodMetrics: Sendable {
    /// The go-grpc-prometheus `grpc_type` of a method.
    package enum CallType: String, Sendable {
        case unary
        case clientStream = "client_stream"
        case serverStream = "server_stream"
        case bidiStream = "bidi_stream"

        /// The type of a method with the given streaming sides.
        package init(clientStreaming: Bool, serverStreaming: Bool) {
            switch (clientStreaming, serverStreaming) {
            case (false, false): self = .unary
            case (true, false): self = .clientStream
            case (false, true): self = .serverStream
            case (true, true): self = .bidiStream
            }
        }
    }

    struct Counts {
        var listing = UsedSeries.Mark()
        var started: UInt64 = 0
        /// Calls handled, by code number 0…16 (a code outside the range counts as Unknown, 2); empty until the
        /// first call ends.
        var handled: [UInt64] = []
        var handling = LatencyCounts()
    }

    /// What tells one method's series from another's.
    struct Key: Hashable {
        var service: String
        var method: String
        var type: CallType
        var backend: String
    }

    let key: Key
    private let counts = Mutex(Counts())
    /// Where the series lists itself on first use (weak: the list holds the series).
    private weak let used: UsedSeries?

    init(_ key: Key, used: UsedSeries) {
        self.key = key
        self.used = used
    }

    /// The series' labels, rendered when scraped (most series of a large config never are):
    /// `grpc_service="…",grpc_method="…",grpc_type="…",backend="…"`.
    var labels: String {
        SeriesLabels.render([
            ("grpc_service", key.service), ("grpc_method", key.method), ("grpc_type", key.type.rawValue),
            ("backend", key.backend),
        ])
    }

    /// Counts a call that starts.
    package func recordStarted() {
        let first = counts.withLock { counts in
            counts.started += 1
            return counts.listing.firstUse()
        }
        if first { used?.add(self) }
    }

    /// Counts a call that ended with `code` after `duration`.
    package func recordHandled(_ code: GRPCStatusCode, duration: Duration) {
        let index = (0...16).contains(code.rawValue) ? code.rawValue : GRPCStatusCode.unknown.rawValue
        let first = counts.withLock { counts in
            if counts.handled.isEmpty { counts.handled = [UInt64](repeating: 0, count: 17) }
            counts.handled[index] += 1
            counts.handling.record(duration)
            return counts.listing.firstUse()
        }
        if first { used?.add(self) }
    }

    /// The counts so far.
    var snapshot: Counts { counts.withLock { $0 } }
}

extension GRPCStatusCode {
    /// The code's name as go-grpc-prometheus labels it (`OK`, `NotFound`, …).
    package var name: String {
        switch rawValue {
        case 0: "OK"
        case 1: "Canceled"
        case 2: "Unknown"
        case 3: "InvalidArgument"
        case 4: "DeadlineExceeded"
        case 5: "NotFound"
        case 6: "AlreadyExists"
        case 7: "PermissionDenied"
        case 8: "ResourceExhausted"
        case 9: "FailedPrecondition"
        case 10: "Aborted"
        case 11: "OutOfRange"
        case 12: "Unimplemented"
        case 13: "Internal"
        case 14: "Unavailable"
        case 15: "DataLoss"
        case 16: "Unauthenticated"
        default: "Unknown"
        }
    }
}
