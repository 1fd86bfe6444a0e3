extension GatewayError {
    /// A request body over `limit` bytes: 413.
    package static func bodyTooLarge(limit: Int) -> GatewayError {
        GatewayError(.resourceExhausted, "request body exceeds the limit of \(limit) bytes", httpStatus: 413)
    }

    /// A request head over `maxHeaderBytes`: 431.
    package static func headersTooLarge(limit: Int) -> GatewayError {
        GatewayError(
            .invalidArgument, "request headers exceed the limit of \(limit) bytes (maxHeaderBytes)", httpStatus: 431)
    }

    /// A request with more header fields than `maxHeaderCount`: 431.
    package static func tooManyHeaders(_ count: Int, limit: Int) -> GatewayError {
        GatewayError(
            .invalidArgument, "the request has \(count) header fields; the limit is \(limit) (maxHeaderCount)",
            httpStatus: 431)
    }

    /// A gRPC flavour the gateway does not proxy (gRPC-Web): 415.
    package static func unsupportedGRPCVariant(_ contentType: String) -> GatewayError {
        GatewayError(
            .invalidArgument,
            "content-type \(contentType) is not supported: send native gRPC (application/grpc) over HTTP/2, or JSON",
            httpStatus: 415)
    }

    /// Native gRPC sent over HTTP/1.1: 415.
    package static let grpcNeedsHTTP2 = GatewayError(
        .invalidArgument,
        "native gRPC (application/grpc) needs HTTP/2: connect with h2c (HTTP/2 with prior knowledge), or send JSON",
        httpStatus: 415)

    /// A request that stopped arriving: 408.
    package static func requestTimeout(_ what: String, key: String, limit: Duration) -> GatewayError {
        let milliseconds = limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000
        let text = milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
        return GatewayError(.deadlineExceeded, "\(what) did not arrive within \(text) (\(key))", httpStatus: 408)
    }

    /// No backend pod could take the call: 503.
    package static func noEndpoint(backend: String, reason: String) -> GatewayError {
        GatewayError(.unavailable, "no endpoint of backend \(backend) is reachable: \(reason)")
    }

    /// The call's deadline passed: 504.
    package static let deadlineExceeded = GatewayError(.deadlineExceeded, "deadline exceeded")
}
