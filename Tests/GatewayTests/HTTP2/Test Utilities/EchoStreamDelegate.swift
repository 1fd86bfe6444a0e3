import Gateway
import NIOCore
import Synchronization

/// Counts what a server saw, readable from any thread.
final class ServerStreamStatistics: Sendable {
    private let counts = Mutex<(closed: Int, failed: Int)>((0, 0))

    var closed: Int { self.counts.withLock { $0.closed } }
    var failed: Int { self.counts.withLock { $0.failed } }

    func recordClosed(error: HTTP2Error?) {
        self.counts.withLock {
            $0.closed += 1
            if error != nil {
                $0.failed += 1
            }
        }
    }
}

/// A server delegate that echoes every request: response headers at once, then the request body as it arrives.
/// It honours back-pressure as the gateway does: while a stream's response buffer is over its high-water mark
/// the stream's receiving is paused, and resumed when the buffer drained.
///
/// gRPC requests (`content-type: application/grpc…`) end with `grpc-status: 0` trailers; other requests end with
/// their body, or with their `:path` when they have none. It keeps the open streams and the closures it saw so
/// that in-memory tests can act on them.
final class EchoStreamDelegate: HTTP2ServerStreamDelegate {
    struct Closure {
        var id: Int32
        var error: HTTP2Error?
    }

    /// When false, requests are only recorded; the test answers them.
    var answers = true
    private(set) var openStreams: [Int32: HTTP2ServerStream] = [:]
    private(set) var requestHeaders: [Int32: [HTTP2Header]] = [:]
    private(set) var receivedBytes: [Int32: Int] = [:]
    private(set) var closures: [Closure] = []
    /// How many requests came with a header block over the limit.
    private(set) var oversizedRequests = 0
    /// How often a stream's send buffer was reported drained.
    private(set) var drainedCount = 0
    private var isGRPC: [Int32: Bool] = [:]
    private let statistics: ServerStreamStatistics?

    init(statistics: ServerStreamStatistics? = nil) {
        self.statistics = statistics
    }

    func requestHeadersReceived(on stream: HTTP2ServerStream, headers: [HTTP2Header], endStream: Bool) {
        self.openStreams[stream.id] = stream
        self.requestHeaders[stream.id] = headers
        self.receivedBytes[stream.id] = 0
        let contentType = headers.first { $0.name == "content-type" }?.value ?? ""
        let isGRPC = contentType.hasPrefix("application/grpc")
        self.isGRPC[stream.id] = isGRPC
        guard self.answers else { return }
        stream.sendResponseHeaders(
            [
                HTTP2Header(name: ":status", value: "200"),
                HTTP2Header(name: "content-type", value: isGRPC ? "application/grpc" : "application/octet-stream"),
            ],
            endStream: false
        )
        if endStream {
            let path = headers.first { $0.name == ":path" }?.value ?? ""
            self.finish(stream, body: ByteBuffer(string: path))
        }
    }

    func requestDataReceived(on stream: HTTP2ServerStream, data: ByteBuffer, endStream: Bool) {
        self.receivedBytes[stream.id, default: 0] += data.readableBytes
        guard self.answers else { return }
        if data.readableBytes > 0 {
            stream.sendData(data, endStream: false)
            if !stream.isWritable {
                stream.pauseReceiving()
            }
        }
        if endStream {
            self.finish(stream, body: ByteBuffer())
        }
    }

    /// Answers 431 with no body, as a plain HTTP/2 server would.
    func requestHeadersTooLarge(on stream: HTTP2ServerStream) {
        self.oversizedRequests += 1
        stream.sendResponseHeaders([HTTP2Header(name: ":status", value: "431")], endStream: true)
    }

    func sendBufferDrained(on stream: HTTP2ServerStream) {
        self.drainedCount += 1
        stream.resumeReceiving()
    }

    func streamClosed(_ stream: HTTP2ServerStream, error: HTTP2Error?) {
        self.openStreams[stream.id] = nil
        self.closures.append(Closure(id: stream.id, error: error))
        self.statistics?.recordClosed(error: error)
    }

    private func finish(_ stream: HTTP2ServerStream, body: ByteBuffer) {
        if self.isGRPC[stream.id] == true {
            stream.sendTrailers([HTTP2Header(name: "grpc-status", value: "0")])
        } else {
            stream.sendData(body, endStream: true)
        }
    }
}
