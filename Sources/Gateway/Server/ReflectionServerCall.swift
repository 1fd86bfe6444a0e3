import NIOCore

/// A `ServerReflectionInfo` call the gateway answers itself, on a client's h2c stream: the stream's I/O around a
/// ``ReflectionServerStateMachine``.
///
/// Back-pressure: while the stream holds more than its send buffer's high-water mark of unsent answers, the
/// client's side is paused (it can send one stream window more), and resumed once the buffer drained.
final class ReflectionServerCall {
    private let stream: HTTP2ServerStream
    private var machine: ReflectionServerStateMachine
    private let record: RequestRecord
    private var sentHeaders = false

    /// - Parameters:
    ///   - stream: The client's stream.
    ///   - catalog: What the call describes.
    ///   - maxMessageBytes: The largest request message accepted (`maxRequestBytes`).
    ///   - record: Where the call's access line goes.
    init(stream: HTTP2ServerStream, catalog: ReflectionCatalog, maxMessageBytes: Int, record: RequestRecord) {
        self.stream = stream
        self.machine = ReflectionServerStateMachine(catalog: catalog, maxMessageBytes: maxMessageBytes)
        self.record = record
    }

    /// Request data from the client.
    func clientSent(_ data: ByteBuffer, endStream: Bool) {
        let output = machine.receivedData(data, endStream: endStream)
        if !output.responses.isEmpty {
            if !sentHeaders {
                sentHeaders = true
                stream.sendResponseHeaders(Self.responseHeaders, endStream: false)
            }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(output.responses.reduce(0) { $0 + 5 + $1.count })
            for response in output.responses {
                buffer.writeInteger(UInt8(0))
                buffer.writeInteger(UInt32(response.count))
                buffer.writeBytes(response)
            }
            stream.sendData(buffer, endStream: false)
            if !stream.isWritable && !machine.isClosed { stream.pauseReceiving() }
        }
        guard let status = output.status else { return }
        var block = [HTTP2Header(name: "grpc-status", value: String(status.code.rawValue))]
        if !status.message.isEmpty {
            block.append(HTTP2Header(name: "grpc-message", value: GRPCStatusFields.percentEncoded(status.message)))
        }
        // Without a message sent, the status goes out as a trailers-only response.
        stream.sendTrailers(sentHeaders ? block : Self.responseHeaders + block)
        record.finish(httpStatus: nil, code: status.code)
    }

    /// The stream's send buffer drained: the client may send more questions.
    func sendBufferDrained() {
        guard !machine.isClosed else { return }
        stream.resumeReceiving()
    }

    /// The client reset the stream or the connection was lost.
    func clientClosed() {
        machine.clientClosed()
        record.finish(httpStatus: nil, code: .cancelled)
    }

    private static let responseHeaders = [
        HTTP2Header(name: ":status", value: "200"),
        HTTP2Header(name: "content-type", value: "application/grpc"),
    ]
}

@available(*, unavailable)
extension ReflectionServerCall: Sendable {}
