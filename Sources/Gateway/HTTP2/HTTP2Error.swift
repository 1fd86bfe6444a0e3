import CNGHTTP2

/// A failure of an HTTP/2 connection or stream.
package struct HTTP2Error: Error, CustomStringConvertible {
    /// What went wrong, as an extensible set of codes.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case connectFailed
            case handshakeTimeout
            case keepaliveTimeout
            case streamReset
            case goAway
            case connectionClosed
            case protocolError
            case streamUnavailable
            case headerListTooLarge
            case library
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The TCP connection could not be opened.
        package static let connectFailed = Self(.connectFailed)
        /// The peer accepted the connection but sent no HTTP/2 SETTINGS within the handshake timeout.
        package static let handshakeTimeout = Self(.handshakeTimeout)
        /// The peer did not answer a keepalive PING in time; the connection was closed.
        package static let keepaliveTimeout = Self(.keepaliveTimeout)
        /// The stream was reset by RST_STREAM, by the peer or locally; `errorCode` says why.
        package static let streamReset = Self(.streamReset)
        /// The peer sent GOAWAY and the stream was above its last-stream-id, or the connection ended by GOAWAY
        /// with an error code.
        package static let goAway = Self(.goAway)
        /// The connection closed while the stream was open.
        package static let connectionClosed = Self(.connectionClosed)
        /// The peer broke the HTTP/2 protocol; the connection was terminated.
        package static let protocolError = Self(.protocolError)
        /// A new stream could not be started: the connection is closing, has received GOAWAY, or has as many open
        /// streams as the peer allows.
        package static let streamUnavailable = Self(.streamUnavailable)
        /// A received header block was larger than `HTTP2Configuration.maxHeaderListSize`.
        package static let headerListTooLarge = Self(.headerListTooLarge)
        /// libnghttp2 refused an operation; the message carries its error name.
        package static let library = Self(.library)

        package var description: String {
            String(describing: self.wrapped)
        }
    }

    /// What went wrong.
    package var code: Code
    /// The HTTP/2 error code of the RST_STREAM or GOAWAY frame involved, if any.
    package var errorCode: HTTP2ErrorCode?
    /// True when the peer certainly did not process the request (REFUSED_STREAM, a stream above a GOAWAY's
    /// last-stream-id, or a connection that failed before any byte of the stream was written): the caller may
    /// retry it elsewhere.
    package var requestNeverProcessed: Bool
    /// A human-readable explanation, including nghttp2's error name where the library reported the failure.
    package var message: String
    /// The underlying error, e.g. the socket error of a failed connect.
    package var cause: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A human-readable explanation.
    ///   - errorCode: The HTTP/2 error code involved, if any.
    ///   - requestNeverProcessed: Whether the peer certainly did not process the request.
    ///   - cause: The underlying error, if any.
    package init(
        code: Code,
        message: String,
        errorCode: HTTP2ErrorCode? = nil,
        requestNeverProcessed: Bool = false,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.errorCode = errorCode
        self.requestNeverProcessed = requestNeverProcessed
        self.cause = cause
    }

    /// The connection itself failed (refused, timed out, lost, closed by GOAWAY): a fault of the path to the
    /// pod, which reconnecting with backoff deals with, rather than the pod's answer to this stream.
    package var isConnectionFailure: Bool {
        switch code {
        case .connectFailed, .handshakeTimeout, .keepaliveTimeout, .goAway, .connectionClosed: true
        default: false
        }
    }

    /// An error for a failed libnghttp2 call, naming the library's error (`nghttp2_strerror`).
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - operation: The operation that failed, e.g. `nghttp2_submit_request`.
    ///   - libraryError: The negative return value of the call.
    static func library(_ code: Code = .library, operation: String, libraryError: Int) -> HTTP2Error {
        let name = String(cString: nghttp2_strerror(Int32(truncatingIfNeeded: libraryError)))
        return HTTP2Error(code: code, message: "\(operation) failed: \(name) (\(libraryError))")
    }

    package var description: String {
        var text = "HTTP2Error.\(self.code): \(self.message)"
        if let errorCode = self.errorCode {
            text += " [\(errorCode)]"
        }
        if self.requestNeverProcessed {
            text += " (never processed)"
        }
        if let cause = self.cause {
            text += " (cause: \(cause))"
        }
        return text
    }
}
