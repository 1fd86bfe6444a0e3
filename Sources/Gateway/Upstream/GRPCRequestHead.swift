/// The start of every gRPC request's header block the gateway sends to a pod.
enum GRPCRequestHead {
    /// The pseudo-headers of a gRPC call to `path` on `authority`, and `te: trailers`; the caller appends
    /// content type, deadline and metadata.
    static func headers(path: String, authority: String, reservingCapacity extra: Int) -> [HTTP2Header] {
        var headers: [HTTP2Header] = []
        headers.reserveCapacity(5 + extra)
        headers.append(HTTP2Header(name: ":method", value: "POST"))
        headers.append(HTTP2Header(name: ":scheme", value: "http"))
        headers.append(HTTP2Header(name: ":path", value: path))
        headers.append(HTTP2Header(name: ":authority", value: authority))
        headers.append(HTTP2Header(name: "te", value: "trailers"))
        return headers
    }
}
