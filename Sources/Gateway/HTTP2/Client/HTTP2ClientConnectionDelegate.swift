/// Learns what happens to an `HTTP2ClientConnection` as a whole, on the connection's event loop.
///
/// The connection holds its delegate weakly (a pool that owns its connections is their delegate).
package protocol HTTP2ClientConnectionDelegate: AnyObject {
    /// The peer sent GOAWAY: no new stream may start; streams above `lastStreamID` fail with
    /// `requestNeverProcessed`, the others may finish.
    func connectionReceivedGoAway(_ connection: HTTP2ClientConnection, lastStreamID: Int32, errorCode: HTTP2ErrorCode)
    /// The connection closed; `error` is nil after a graceful end (GOAWAY with NO_ERROR, or a local `close`).
    /// Every open stream's delegate was told before this call.
    func connectionClosed(_ connection: HTTP2ClientConnection, error: HTTP2Error?)
    /// The number of streams this connection can start changed: a stream closed or the peer's SETTINGS changed.
    func connectionStreamCapacityChanged(_ connection: HTTP2ClientConnection)
}
