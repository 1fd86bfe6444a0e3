import NIOCore

/// One reflection exchange with one pod: the connection, the stream and the timer around
/// `ReflectionStateMachine`, whose actions it carries out.
///
/// Bound to its event loop. It stays alive while its connection attempt, its stream or its timer hold it, and
/// lets go of the connection once the exchange is over.
final class ReflectionExchange {
    private let host: String
    private let port: Int
    private let eventLoop: any EventLoop
    private let config: ReflectionClient.Config
    private let promise: EventLoopPromise<ReflectedDescriptors>
    private var machine = ReflectionStateMachine()
    private var connection: HTTP2ClientConnection?
    private var stream: HTTP2ClientStream?
    private var deframer: GRPCMessageDeframer
    private var timer: Scheduled<Void>?

    init(
        host: String, port: Int, eventLoop: any EventLoop, config: ReflectionClient.Config,
        promise: EventLoopPromise<ReflectedDescriptors>
    ) {
        self.host = host
        self.port = port
        self.eventLoop = eventLoop
        self.config = config
        self.promise = promise
        self.deframer = GRPCMessageDeframer(maxMessageBytes: config.maxMessageBytes)
    }

    /// Starts the exchange and its timer. Call on the event loop.
    func start() {
        self.eventLoop.assertInEventLoop()
        let timeout = self.config.timeout
        self.timer = self.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            self.perform(self.machine.timedOut(after: timeout))
        }
        self.perform(self.machine.start())
    }

    private func perform(_ action: ReflectionStateMachine.Action) {
        switch action {
        case .connect:
            self.connect()
        case .openStream(let version, let request):
            self.openStream(version, sending: request)
        case .send(let request):
            self.send(request)
        case .succeed(let descriptors):
            self.finish(graceful: true)
            self.promise.succeed(descriptors)
        case .fail(var error):
            error.endpoint = "\(self.host):\(self.port)"
            self.finish(graceful: false)
            self.promise.fail(error)
        case .none:
            break
        }
    }

    private func connect() {
        // The connection's own timers end a hopeless attempt no later than the exchange's bound.
        let bound = TimeAmount(self.config.timeout)
        var configuration = HTTP2Configuration.defaults
        configuration.connectTimeout = min(configuration.connectTimeout, bound)
        configuration.handshakeTimeout = min(configuration.handshakeTimeout, bound)
        configuration.keepaliveInterval = nil
        HTTP2ClientConnection.connect(
            host: self.host, port: self.port, eventLoop: self.eventLoop, configuration: configuration, delegate: nil
        ).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let connection):
                guard !self.machine.isFinished else {
                    connection.close(graceful: false)
                    return
                }
                self.connection = connection
                self.perform(self.machine.connected())
            case .failure(let error):
                let failure =
                    error as? HTTP2Error
                    ?? HTTP2Error(code: .connectFailed, message: "connecting failed", cause: error)
                self.perform(self.machine.connectFailed(failure))
            }
        }
    }

    private func openStream(_ version: ReflectionServiceVersion, sending request: ReflectionRequest) {
        guard let connection = self.connection else { return }
        self.deframer = GRPCMessageDeframer(maxMessageBytes: self.config.maxMessageBytes)
        var headers = GRPCRequestHead.headers(
            path: version.methodPath, authority: "\(self.host):\(self.port)", reservingCapacity: 1)
        headers.append(HTTP2Header(name: "content-type", value: "application/grpc"))
        do throws(HTTP2Error) {
            self.stream = try connection.startStream(
                headers: headers, endStream: false, delegate: StreamDelegate(version: version, exchange: self))
        } catch {
            self.perform(self.machine.streamClosed(error: error, version: version))
            return
        }
        self.send(request)
    }

    private func send(_ request: ReflectionRequest) {
        let message = request.serialized
        var buffer = ByteBuffer()
        buffer.reserveCapacity(5 + message.count)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.count))
        buffer.writeBytes(message)
        self.stream?.sendData(buffer, endStream: false)
    }

    /// Stops the timer and closes the connection: politely after an answer (the stream cancelled, then GOAWAY),
    /// at once after a failure.
    private func finish(graceful: Bool) {
        self.timer?.cancel()
        self.timer = nil
        if graceful, let stream = self.stream, !stream.isClosed {
            stream.reset(errorCode: .cancel)
        }
        self.connection?.close(graceful: graceful)
        self.stream = nil
        self.connection = nil
    }

    // MARK: - The stream's events

    fileprivate func responseHeadersReceived(
        _ headers: [HTTP2Header], endStream: Bool, version: ReflectionServiceVersion
    ) {
        let block = headers.map { (name: $0.name, value: $0.value) }
        let httpStatus = block.first { $0.name == ":status" }.flatMap { Int($0.value) } ?? 0
        if httpStatus != 200 {
            let code = GRPCStatusFields.status(forHTTPStatus: httpStatus)
            self.perform(self.machine.receivedStatus(code, message: "HTTP \(httpStatus)", version: version))
        } else if endStream {
            self.receivedStatus(in: block, version: version)
        }
    }

    fileprivate func responseDataReceived(_ data: ByteBuffer, version: ReflectionServiceVersion) {
        let messages: [ByteBuffer]
        do throws(GRPCMessageDeframer.Failure) {
            messages = try self.deframer.append(data)
        } catch {
            self.perform(self.machine.receivedUnreadableMessage(error.description, version: version))
            return
        }
        for message in messages {
            self.perform(self.machine.receivedMessage(Array(message.readableBytesView), version: version))
        }
    }

    fileprivate func responseTrailersReceived(_ trailers: [HTTP2Header], version: ReflectionServiceVersion) {
        self.receivedStatus(in: trailers.map { (name: $0.name, value: $0.value) }, version: version)
    }

    fileprivate func streamClosed(error: HTTP2Error?, version: ReflectionServiceVersion) {
        self.perform(self.machine.streamClosed(error: error, version: version))
    }

    private func receivedStatus(in block: [(name: String, value: String)], version: ReflectionServiceVersion) {
        let (code, message) = GRPCStatusFields.status(in: block) ?? (.internalError, "the response has no grpc-status")
        self.perform(self.machine.receivedStatus(code, message: message, version: version))
    }
}

@available(*, unavailable)
extension ReflectionExchange: Sendable {}

/// The delegate of one reflection stream: passes its events on with the stream's version, so that the late
/// events of a v1 stream the exchange fell back from are told apart (the state machine ignores them).
private final class StreamDelegate: HTTP2ClientStreamDelegate {
    private let version: ReflectionServiceVersion
    private let exchange: ReflectionExchange

    init(version: ReflectionServiceVersion, exchange: ReflectionExchange) {
        self.version = version
        self.exchange = exchange
    }

    func responseHeadersReceived(_ headers: [HTTP2Header], endStream: Bool) {
        self.exchange.responseHeadersReceived(headers, endStream: endStream, version: self.version)
    }

    func responseDataReceived(_ data: ByteBuffer, endStream: Bool) {
        self.exchange.responseDataReceived(data, version: self.version)
    }

    func responseTrailersReceived(_ trailers: [HTTP2Header]) {
        self.exchange.responseTrailersReceived(trailers, version: self.version)
    }

    /// Requests are a few bytes each: nothing waits for the send buffer.
    func sendBufferDrained() {}

    func streamClosed(error: HTTP2Error?) {
        self.exchange.streamClosed(error: error, version: self.version)
    }
}

@available(*, unavailable)
extension StreamDelegate: Sendable {}
