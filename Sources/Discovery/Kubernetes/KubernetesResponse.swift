/// A response of the API server whose status has arrived; its body follows in pieces as they come.
struct KubernetesResponse {
    /// The HTTP status.
    let status: Int
    /// The request's path, for messages.
    let path: String
    private var parts: AsyncThrowingStream<HTTPResponsePart, any Error>.AsyncIterator

    /// Wraps a transfer whose head has been read.
    init(status: Int, path: String, parts: AsyncThrowingStream<HTTPResponsePart, any Error>.AsyncIterator) {
        self.status = status
        self.path = path
        self.parts = parts
    }

    /// The next piece of the body; nil at its end.
    /// - Throws: `transport` when the connection breaks or the transfer is aborted (cancelled, or silent for
    ///   longer than its idle bound).
    mutating func next() async throws(KubernetesError) -> [UInt8]? {
        do {
            while let part = try await parts.next() {
                if case .body(let bytes) = part { return bytes }
            }
            return nil
        } catch let error as CurlError {
            throw KubernetesError(code: .transport, message: "\(path): \(error.message)", curlCode: error.code)
        } catch {
            throw KubernetesError(code: .transport, message: "\(path): cancelled")
        }
    }

    /// The rest of the body.
    mutating func body() async throws(KubernetesError) -> [UInt8] {
        var body: [UInt8] = []
        while let bytes = try await next() { body += bytes }
        return body
    }
}
