import NIOCore

/// Receives the response of one `HTTP2ClientStream`, on the connection's event loop.
///
/// The stream holds its delegate strongly until `streamClosed(error:)` was called.
package protocol HTTP2ClientStreamDelegate: AnyObject {
    /// The response's header block arrived; a trailers-only response (gRPC's way to fail fast) arrives here with
    /// `endStream`. Informational (1xx) header blocks are not delivered.
    func responseHeadersReceived(_ headers: [HTTP2Header], endStream: Bool)
    /// A DATA frame's payload arrived (possibly empty when it only ends the stream).
    func responseDataReceived(_ data: ByteBuffer, endStream: Bool)
    /// The response's trailers arrived; they end the stream.
    func responseTrailersReceived(_ trailers: [HTTP2Header])
    /// The stream's `bufferedBytes` fell to half of `sendBufferHighWaterMark` after they went over it: `isWritable`
    /// is true again and more of the request may be sent.
    func sendBufferDrained()
    /// The stream is over; called exactly once. `error` is nil after the response ended normally, and set on
    /// RST_STREAM (either side), GOAWAY above the stream's id, or connection loss; `error.requestNeverProcessed`
    /// says whether the request may be retried elsewhere.
    func streamClosed(error: HTTP2Error?)
}
