extension GatewayError {
    /// A request body over `limit` bytes: 413.
    package static func bodyTooLarge(limit: Int) -> GatewayError {
        GatewayError(.resourceExhausted, "request body exceeds the limit of \(limit) bytes", httpStatus: 413)
    }

    /// No backend pod could take the call: 503.
    package static func noEndpoint(backend: String, reason: String) -> GatewayError {
        GatewayError(.unavailable, "no endpoint of backend \(backend) is reachable: \(reason)")
    }

    /// The call's deadline passed: 504.
    package static let deadlineExceeded = GatewayError(.deadlineExceeded, "deadline exceeded")
}
