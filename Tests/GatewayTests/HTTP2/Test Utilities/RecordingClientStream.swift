import Gateway
import NIOCore
import Synchronization

/// What a client stream received, as a value that can leave the event loop.
struct ClientStreamRecord: Sendable {
    var headers: [HTTP2Header]?
    var headersEndedStream = false
    var body: [UInt8] = []
    var dataFrames = 0
    var trailers: [HTTP2Header]?
    var error: HTTP2Error?
    /// How often the request's send buffer was reported drained.
    var sendBufferDrainedCount = 0

    /// The gRPC status from the trailers (or a trailers-only response).
    var grpcStatus: String? {
        let block = self.trailers ?? (self.headersEndedStream ? self.headers : nil)
        return block?.first { $0.name == "grpc-status" }?.value
    }

    /// The gRPC messages of the body (5-byte prefix: compressed flag, big-endian length).
    var grpcMessages: [[UInt8]] {
        var messages: [[UInt8]] = []
        var index = 0
        while index + 5 <= self.body.count {
            let length = self.body[(index + 1)..<(index + 5)].reduce(0) { $0 << 8 | Int($1) }
            messages.append(Array(self.body[(index + 5)..<min(index + 5 + length, self.body.count)]))
            index += 5 + length
        }
        return messages
    }
}

/// Counts calls from any thread.
final class CallCounter: Sendable {
    private let count = Mutex(0)
    var value: Int { self.count.withLock { $0 } }
    func increment() { self.count.withLock { $0 += 1 } }
}

/// A client stream delegate that records everything and completes promises on the way.
final class RecordingClientStream: HTTP2ClientStreamDelegate {
    private(set) var record = ClientStreamRecord()
    let closeCount: CallCounter
    private let closed: EventLoopPromise<ClientStreamRecord>?
    private var firstData: EventLoopPromise<Void>?

    init(
        closed: EventLoopPromise<ClientStreamRecord>? = nil,
        firstData: EventLoopPromise<Void>? = nil,
        closeCount: CallCounter = CallCounter()
    ) {
        self.closed = closed
        self.firstData = firstData
        self.closeCount = closeCount
    }

    var isClosed: Bool { self.closeCount.value > 0 }

    func responseHeadersReceived(_ headers: [HTTP2Header], endStream: Bool) {
        self.record.headers = headers
        self.record.headersEndedStream = endStream
    }

    func responseDataReceived(_ data: ByteBuffer, endStream: Bool) {
        self.record.body += data.readableBytesView
        self.record.dataFrames += 1
        if data.readableBytes > 0, let firstData = self.firstData {
            self.firstData = nil
            firstData.succeed()
        }
    }

    func responseTrailersReceived(_ trailers: [HTTP2Header]) {
        self.record.trailers = trailers
    }

    func sendBufferDrained() {
        self.record.sendBufferDrainedCount += 1
    }

    func streamClosed(error: HTTP2Error?) {
        self.closeCount.increment()
        self.record.error = error
        self.closed?.succeed(self.record)
        if let firstData = self.firstData {
            self.firstData = nil
            firstData.fail(error ?? HTTP2Error(code: .connectionClosed, message: "closed without data"))
        }
    }
}

/// A connection delegate that records GOAWAY and closure.
final class RecordingConnectionDelegate: HTTP2ClientConnectionDelegate {
    private(set) var goAways: [(lastStreamID: Int32, errorCode: HTTP2ErrorCode)] = []
    private(set) var closeErrors: [HTTP2Error?] = []
    private(set) var capacityChanges = 0
    private let closed: EventLoopPromise<Void>?

    init(closed: EventLoopPromise<Void>? = nil) {
        self.closed = closed
    }

    func connectionReceivedGoAway(_ connection: HTTP2ClientConnection, lastStreamID: Int32, errorCode: HTTP2ErrorCode) {
        self.goAways.append((lastStreamID, errorCode))
    }

    func connectionClosed(_ connection: HTTP2ClientConnection, error: HTTP2Error?) {
        self.closeErrors.append(error)
        self.closed?.succeed()
    }

    func connectionStreamCapacityChanged(_ connection: HTTP2ClientConnection) {
        self.capacityChanges += 1
    }
}

extension HTTP2Header {
    /// The request header block of a gRPC call.
    static func grpcRequest(path: String, authority: String = "localhost") -> [HTTP2Header] {
        [
            HTTP2Header(name: ":method", value: "POST"),
            HTTP2Header(name: ":scheme", value: "http"),
            HTTP2Header(name: ":path", value: path),
            HTTP2Header(name: ":authority", value: authority),
            HTTP2Header(name: "content-type", value: "application/grpc"),
            HTTP2Header(name: "te", value: "trailers"),
        ]
    }
}

extension ByteBuffer {
    /// One gRPC message: uncompressed flag, big-endian length, the bytes.
    static func grpcMessage(_ bytes: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }
}
