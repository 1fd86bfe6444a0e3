import NIOCore

/// What a received header block is, as the faces need to know it.
enum NGHTTP2HeaderBlockKind {
    /// A request's header block (server face) or a response's final header block (client face).
    case initial
    /// A header block after the initial one: trailers when it ends the stream.
    case trailers
}

/// The face (server handler or client connection) an `NGHTTP2Session` reports to.
///
/// Every method is called on the connection's event loop, and most are called from inside
/// `nghttp2_session_mem_recv` or `nghttp2_session_mem_send` (see `NGHTTP2Session`): an implementation may submit
/// commands to the session (they are queued and sent by the session's drain loop) but must not expect them to be
/// written before it returns.
protocol NGHTTP2SessionOwner: AnyObject {
    /// A header block arrived on a stream. For a new server stream, `stream.face` is still nil.
    func session(
        _ session: NGHTTP2Session, receivedHeaders headers: [HTTP2Header], kind: NGHTTP2HeaderBlockKind,
        endStream: Bool, on stream: NGHTTP2StreamState)
    /// A header block larger than the configured limit arrived; its fields were dropped.
    func session(_ session: NGHTTP2Session, receivedOversizedHeadersOn stream: NGHTTP2StreamState)
    /// DATA payload arrived (possibly empty when it only carries END_STREAM).
    func session(
        _ session: NGHTTP2Session, receivedData data: ByteBuffer, endStream: Bool,
        on stream: NGHTTP2StreamState)
    /// A stream is over; `error` is nil after a normal end. Called once per stream in the session's table.
    func session(_ session: NGHTTP2Session, streamClosed stream: NGHTTP2StreamState, error: HTTP2Error?)
    /// The stream's queued DATA fell to half the send buffer's high-water mark after it went over: it is writable
    /// again. Called after the drain loop, outside nghttp2.
    func session(_ session: NGHTTP2Session, sendBufferDrained stream: NGHTTP2StreamState)
    /// The peer's SETTINGS frame (not an acknowledgement) arrived.
    func sessionReceivedSettings(_ session: NGHTTP2Session)
    /// The peer sent GOAWAY.
    func session(_ session: NGHTTP2Session, receivedGoAway lastStreamID: Int32, errorCode: HTTP2ErrorCode)
    /// A PING acknowledgement arrived.
    func sessionReceivedPingAcknowledgement(_ session: NGHTTP2Session)
    /// The channel became inactive; every stream's closure was reported before this call.
    func session(_ session: NGHTTP2Session, connectionClosedWith error: HTTP2Error?)
}
