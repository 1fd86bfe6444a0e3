import NIOCore

/// What a backend answered to a unary call.
package struct UpstreamReply {
    /// The call's gRPC status.
    package var status: GRPCStatusCode
    /// The status message, percent-decoded.
    package var message: String
    /// Response header metadata.
    package var headers: [(name: String, value: String)]
    /// Trailer metadata.
    package var trailers: [(name: String, value: String)]
    /// The response message, when the call succeeded with one.
    package var response: ByteBuffer?
}
