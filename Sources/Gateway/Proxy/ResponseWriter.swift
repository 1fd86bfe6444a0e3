import NIOCore

/// Where the gateway sends the reply to one JSON request; implemented by each client protocol.
///
/// Used on the request's event loop only. Exactly one reply is written per request: either whole with
/// `writeResponse`, or streamed with `startStreamingResponse`, any number of `writeBodyChunk` and one
/// `endStreamingResponse` or `abortStreamingResponse`.
///
/// Back-pressure: a streamed reply's producer checks `isWritable` after each chunk; while it is false the client
/// takes the reply slower than it comes, and the producer stops (pauses its backend stream) until the action it
/// gave `whenWritable` runs.
package protocol ResponseWriter: AnyObject {
    /// Sends a complete reply.
    /// - Parameters:
    ///   - status: The HTTP status code.
    ///   - headers: Header fields with lowercase names; the writer adds framing headers itself.
    ///   - body: The whole body.
    func writeResponse(status: Int, headers: [(name: String, value: String)], body: ByteBuffer)

    /// Sends the head of a reply whose body follows in chunks (chunked encoding on HTTP/1.1).
    func startStreamingResponse(status: Int, headers: [(name: String, value: String)])

    /// Sends one piece of a streamed reply's body, at once.
    func writeBodyChunk(_ chunk: ByteBuffer)

    /// Ends a streamed reply.
    func endStreamingResponse()

    /// Ends a streamed reply as failed, where the body has no way to say so (raw `google.api.HttpBody`
    /// bytes): the client sees it cut short (HTTP/1.1: the connection closes before the last chunk; HTTP/2:
    /// the stream is reset with INTERNAL_ERROR).
    func abortStreamingResponse()

    /// False while more of the reply is queued for the client than the configured `streamBufferBytes`.
    var isWritable: Bool { get }

    /// Runs `action` once, when the queued reply has fallen to half of `streamBufferBytes` (at once if
    /// `isWritable`). A later call replaces an action still waiting; one never runs once the reply has ended.
    func whenWritable(_ action: @escaping () -> Void)
}

extension ResponseWriter {
    /// Sends `error` as a JSON error body with its HTTP status.
    package func writeError(_ error: GatewayError, allocator: ByteBufferAllocator) {
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        headers.append(contentsOf: error.headers)
        writeResponse(status: error.httpStatus, headers: headers, body: allocator.buffer(bytes: error.jsonBody))
    }
}
