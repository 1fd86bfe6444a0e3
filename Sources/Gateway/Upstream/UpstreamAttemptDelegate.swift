import NIOCore

/// What a call hears from the stream of one of its attempts, tagged with the attempt's number.
protocol UpstreamAttemptListener: AnyObject {
    func responseHeadersReceived(_ headers: [HTTP2Header], endStream: Bool, attempt: Int)
    func responseDataReceived(_ data: ByteBuffer, endStream: Bool, attempt: Int)
    func responseTrailersReceived(_ trailers: [HTTP2Header], attempt: Int)
    func sendBufferDrained(attempt: Int)
    func streamClosed(error: HTTP2Error?, attempt: Int)
}

/// The delegate of one attempt's upstream stream: it passes the stream's events on with the attempt's number,
/// so that a call tried again on another pod tells the late events of an abandoned stream from the current
/// one's (the state machine ignores them).
final class UpstreamAttemptDelegate: HTTP2ClientStreamDelegate {
    private let attempt: Int
    private let listener: any UpstreamAttemptListener

    init(attempt: Int, listener: any UpstreamAttemptListener) {
        self.attempt = attempt
        self.listener = listener
    }

    func responseHeadersReceived(_ headers: [HTTP2Header], endStream: Bool) {
        listener.responseHeadersReceived(headers, endStream: endStream, attempt: attempt)
    }

    func responseDataReceived(_ data: ByteBuffer, endStream: Bool) {
        listener.responseDataReceived(data, endStream: endStream, attempt: attempt)
    }

    func responseTrailersReceived(_ trailers: [HTTP2Header]) {
        listener.responseTrailersReceived(trailers, attempt: attempt)
    }

    func sendBufferDrained() {
        listener.sendBufferDrained(attempt: attempt)
    }

    func streamClosed(error: HTTP2Error?) {
        listener.streamClosed(error: error, attempt: attempt)
    }
}

@available(*, unavailable)
extension UpstreamAttemptDelegate: Sendable {}
