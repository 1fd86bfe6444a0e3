import NIOCore

/// Receives the requests of one client connection from an `HTTP2ServerConnectionHandler`.
///
/// Called on the connection's event loop only, from inside nghttp2's processing of the received bytes: the
/// delegate may answer at once (the response is written at the end of the read batch) or later, from any code
/// running on the event loop.
package protocol HTTP2ServerStreamDelegate: AnyObject {
    /// A request's header block arrived (pseudo-headers included); `endStream` when the request has no body.
    func requestHeadersReceived(on stream: HTTP2ServerStream, headers: [HTTP2Header], endStream: Bool)
    /// A request's header block was larger than `maxHeaderListSize`: its fields were dropped. The delegate
    /// answers (431) or resets the stream; DATA that follows is delivered as on any stream.
    func requestHeadersTooLarge(on stream: HTTP2ServerStream)
    /// A DATA frame's payload arrived (possibly empty when it only ends the stream). Request trailers, which gRPC
    /// clients do not send, are not delivered: their arrival is reported as an empty payload with `endStream`.
    func requestDataReceived(on stream: HTTP2ServerStream, data: ByteBuffer, endStream: Bool)
    /// The stream's `bufferedBytes` fell to half of `sendBufferHighWaterMark` after they went over it: `isWritable`
    /// is true again and more of the response may be sent.
    func sendBufferDrained(on stream: HTTP2ServerStream)
    /// The stream is over: after the response's last frame was sent (`error` nil), or reset by the peer or
    /// locally, or because the connection closed (`error` set). Called exactly once per stream whose headers were
    /// delivered.
    func streamClosed(_ stream: HTTP2ServerStream, error: HTTP2Error?)
}
