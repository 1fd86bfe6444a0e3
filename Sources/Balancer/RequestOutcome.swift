/// How a request sent to an endpoint ended, as far as balancing and outlier ejection care.
public enum RequestOutcome: Sendable, Hashable {
    /// The backend answered successfully.
    ///
    /// `latency` runs from sending the request to the response for a unary call, and to the first response
    /// message for a streaming call (as Linkerd's balancer measures it), so a long stream does not read as a
    /// huge latency.
    case success(latency: Duration)
    /// The backend answered with an application error (NOT_FOUND, INVALID_ARGUMENT, INTERNAL, …): it is
    /// alive and answering, so the latency is a sample and the run of failures ends, as a non-gateway error
    /// resets Envoy's consecutive gateway failure count.
    case otherError(latency: Duration)
    /// A gateway failure: UNAVAILABLE (HTTP 502, 503, 504), a reset or refused stream, a lost connection, or
    /// a timeout. It counts towards ejection and adds the failure penalty to the latency estimate.
    case unavailable
    /// The connection failed, not the endpoint's answer: refused or lost before the request went out, the
    /// stream refused, or the connection lost (closed, keepalive timeout, GOAWAY) under the request. Nothing is
    /// learned and it never counts towards ejection: the connection's own state (reconnecting with backoff)
    /// keeps the endpoint out until it answers again.
    case connectionFailed
    /// The caller gave up (cancellation, the client's own deadline): nothing is learned about the endpoint.
    case cancelled
}
