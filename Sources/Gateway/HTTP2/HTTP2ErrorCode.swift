import CNGHTTP2

/// An HTTP/2 error code as carried by RST_STREAM and GOAWAY frames (RFC 9113, section 7).
///
/// A struct rather than an enum because peers may send codes this type does not name.
package struct HTTP2ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code on the wire.
    package var rawValue: UInt32

    /// Creates a code from its wire value.
    package init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// NO_ERROR: graceful shutdown or a stream no longer needed.
    package static let noError = Self(rawValue: 0x0)
    /// PROTOCOL_ERROR.
    package static let protocolError = Self(rawValue: 0x1)
    /// INTERNAL_ERROR.
    package static let internalError = Self(rawValue: 0x2)
    /// FLOW_CONTROL_ERROR.
    package static let flowControlError = Self(rawValue: 0x3)
    /// SETTINGS_TIMEOUT.
    package static let settingsTimeout = Self(rawValue: 0x4)
    /// STREAM_CLOSED.
    package static let streamClosed = Self(rawValue: 0x5)
    /// FRAME_SIZE_ERROR.
    package static let frameSizeError = Self(rawValue: 0x6)
    /// REFUSED_STREAM: the peer did not process the stream; the request may be retried.
    package static let refusedStream = Self(rawValue: 0x7)
    /// CANCEL: the stream is no longer needed.
    package static let cancel = Self(rawValue: 0x8)
    /// COMPRESSION_ERROR.
    package static let compressionError = Self(rawValue: 0x9)
    /// CONNECT_ERROR.
    package static let connectError = Self(rawValue: 0xa)
    /// ENHANCE_YOUR_CALM: the peer thinks this endpoint is misbehaving.
    package static let enhanceYourCalm = Self(rawValue: 0xb)
    /// INADEQUATE_SECURITY.
    package static let inadequateSecurity = Self(rawValue: 0xc)
    /// HTTP_1_1_REQUIRED.
    package static let http11Required = Self(rawValue: 0xd)

    /// The code's name as nghttp2 spells it, e.g. `REFUSED_STREAM`.
    package var description: String {
        String(cString: nghttp2_http2_strerror(self.rawValue))
    }
}
