import NIOCore

/// Passes a JSON request's reply on to the client's writer and records the request when the reply ends.
final class RecordingResponseWriter: ResponseWriter {
    private let writer: any ResponseWriter
    let record: RequestRecord
    private var status = 200
    /// The gRPC status the request ends with; the dispatcher sets it when it answers with an error.
    var code = GRPCStatusCode.ok

    init(_ writer: any ResponseWriter, record: RequestRecord) {
        self.writer = writer
        self.record = record
    }

    func writeResponse(status: Int, headers: [(name: String, value: String)], body: ByteBuffer) {
        writer.writeResponse(status: status, headers: headers, body: body)
        record.finish(httpStatus: status, code: code)
    }

    func startStreamingResponse(status: Int, headers: [(name: String, value: String)]) {
        self.status = status
        writer.startStreamingResponse(status: status, headers: headers)
    }

    func writeBodyChunk(_ chunk: ByteBuffer) {
        writer.writeBodyChunk(chunk)
    }

    func endStreamingResponse() {
        writer.endStreamingResponse()
        record.finish(httpStatus: status, code: code)
    }

    func abortStreamingResponse() {
        writer.abortStreamingResponse()
        record.finish(httpStatus: status, code: code)
    }

    var isWritable: Bool { writer.isWritable }

    func whenWritable(_ action: @escaping () -> Void) {
        writer.whenWritable(action)
    }
}

@available(*, unavailable)
extension RecordingResponseWriter: Sendable {}
