/// Which client headers become gRPC metadata, and how reply metadata comes back as HTTP headers:
/// grpc-gateway's conventions, which existing clients rely on.
package enum RequestMetadata {
    /// Headers that belong to one connection and are never forwarded (RFC 9110, section 7.6.1), plus
    /// those the gateway sets itself on the upstream stream.
    private static let neverForwarded: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "host",
        "content-length", "content-type", "grpc-timeout", "user-agent", "accept-encoding",
    ]

    /// Headers forwarded under their own name: credentials and distributed-tracing context.
    private static let forwardedAsIs: Set<String> = [
        "authorization", "traceparent", "tracestate", "x-request-id", "b3", "x-b3-traceid", "x-b3-spanid",
        "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags",
    ]

    private static let metadataPrefix = "grpc-metadata-"

    /// The gRPC metadata sent upstream for a JSON request's headers.
    ///
    /// `Grpc-Metadata-Foo: v` becomes `foo: v`; `Authorization` and trace headers go as they are; the
    /// client's address is appended to `x-forwarded-for` and `Host` becomes `x-forwarded-host`. Keys that
    /// are not valid gRPC metadata keys, and values with control characters, are dropped.
    package static func forJSONRequest(
        headers: [(name: String, value: String)], clientAddress: String?
    ) -> [(name: String, value: String)] {
        var metadata: [(name: String, value: String)] = []
        var forwardedFor: String?
        for (name, value) in headers where isValidValue(value) {
            if name.hasPrefix(metadataPrefix) {
                let key = String(name.dropFirst(metadataPrefix.count))
                if isValidKey(key) && !neverForwarded.contains(key) && !key.hasPrefix("grpc-") {
                    metadata.append((key, value))
                }
            } else if forwardedAsIs.contains(name) {
                metadata.append((name, value))
            } else if name == "x-forwarded-for" {
                forwardedFor = value
            } else if name == "host" {
                metadata.append(("x-forwarded-host", value))
            }
        }
        if let clientAddress {
            metadata.append(("x-forwarded-for", forwardedFor.map { "\($0), \(clientAddress)" } ?? clientAddress))
        } else if let forwardedFor {
            metadata.append(("x-forwarded-for", forwardedFor))
        }
        return metadata
    }

    /// The headers of a native gRPC request that go upstream: all but hop-by-hop ones and pseudo-headers.
    package static func forGRPCRequest(headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        headers.filter { name, _ in
            !name.hasPrefix(":") && !["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "host"].contains(name)
        }
    }

    /// The HTTP headers a JSON client gets for a reply's metadata: `Grpc-Metadata-<key>` for header
    /// metadata and `Grpc-Trailer-<key>` for trailer metadata; protocol fields (`content-type`, `grpc-*`,
    /// pseudo-headers) are not metadata and are left out.
    package static func responseHeaders(
        headers: [(name: String, value: String)], trailers: [(name: String, value: String)]
    ) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for (name, value) in headers where isReplyMetadata(name) {
            result.append(("grpc-metadata-\(name)", value))
        }
        for (name, value) in trailers where isReplyMetadata(name) {
            result.append(("grpc-trailer-\(name)", value))
        }
        return result
    }

    private static func isReplyMetadata(_ name: String) -> Bool {
        !name.hasPrefix(":") && !name.hasPrefix("grpc-") && name != "content-type" && name != "content-length"
            && name != "date" && name != "server"
    }

    /// gRPC metadata keys: lowercase letters, digits, `-`, `_` and `.`.
    private static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }
    }

    /// Printable ASCII and spaces only, as gRPC requires of non-binary metadata.
    private static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }
}
