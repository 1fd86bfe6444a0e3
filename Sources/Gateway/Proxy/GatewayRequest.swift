import NIOCore

/// A client's HTTP request as the gateway handles it, whether it came over HTTP/1.1 or HTTP/2.
package struct GatewayRequest {
    /// The HTTP method, as sent (`GET`, `POST`, …).
    package var method: String
    /// The request target: the raw path with its query, still percent-encoded.
    package var target: String
    /// Header fields with lowercase names, in arrival order.
    package var headers: [(name: String, value: String)]
    /// The whole body, already held to the configured size limit.
    package var body: ByteBuffer
    /// The client's IP address, for `x-forwarded-for`.
    package var clientAddress: String?

    /// The path part of the target.
    package var path: Substring {
        target.firstIndex(of: "?").map { target[..<$0] } ?? target[...]
    }

    /// The query part of the target, without the `?`; nil when there is none.
    package var query: Substring? {
        target.firstIndex(of: "?").map { target[target.index(after: $0)...] }
    }

    /// The first value of a header, by lowercase name.
    package func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}
