import Prometheus

/// The go-grpc-prometheus series of one gRPC method, created once when the route table is built so that a call
/// records without looking anything up.
///
/// Every call to the method counts, whether it came as native gRPC or as a JSON request transcoded to gRPC.
/// Besides go-grpc-prometheus's labels each series has a `backend` label, so that dashboards can group by
/// backend; queries that sum by the usual labels are unaffected.
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

    private let started: Counter
    /// `grpc_server_handled_total` by code number, 0…16, as go-grpc-prometheus pre-creates them.
    private let handled: [Counter]
    private let handledOther: Counter
    private let handling: DurationHistogram

    init(registry: PrometheusCollectorRegistry, service: String, method: String, type: CallType, backend: String) {
        let labels = [("grpc_service", service), ("grpc_method", method), ("grpc_type", type.rawValue), ("backend", backend)]
        started = registry.counter("grpc_server_started_total", labels, help: "RPCs started on the server.")
        handled = (0...16).map { code in
            registry.counter("grpc_server_handled_total", labels + [("grpc_code", GRPCStatusCode(rawValue: code).name)],
                help: "RPCs completed on the server, regardless of success or failure.")
        }
        handledOther = registry.counter("grpc_server_handled_total", labels + [("grpc_code", "Unknown")],
            help: "RPCs completed on the server, regardless of success or failure.")
        handling = registry.histogram("grpc_server_handling_seconds", labels, buckets: GatewayMetrics.latencyBuckets,
            help: "Response latency (seconds) of gRPC that had been application-level handled by the server.")
    }

    /// Counts a call that starts.
    package func recordStarted() {
        started.increment()
    }

    /// Counts a call that ended with `code` after `duration`.
    package func recordHandled(_ code: GRPCStatusCode, duration: Duration) {
        (handled.indices.contains(code.rawValue) ? handled[code.rawValue] : handledOther).increment()
        handling.record(duration)
    }
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
