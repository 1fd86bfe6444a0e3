import NIOCore

/// Serves the streams of one h2c client connection: native gRPC calls are proxied as they are, other
/// requests are gathered and answered as JSON requests.
///
/// Calls to `grpc.reflection.v1.ServerReflection` and `grpc.reflection.v1alpha.ServerReflection` are always the
/// gateway's own, never a backend's (even one whose descriptors list those services): they describe every
/// backend's services at once, from the runtime's ``ReflectionCatalog``.
final class HTTP2RequestHandler: HTTP2ServerStreamDelegate {
    private enum StreamState {
        /// A JSON request whose body is still arriving.
        case receiving(GatewayRequest, timer: CallDeadlines.Registration)
        /// A JSON request with the dispatcher: where its reply goes, and what cancels its backend call if the
        /// client resets the stream.
        case dispatched(HTTP2ResponseWriter, cancel: (() -> Void)?)
        /// A native gRPC call being proxied.
        case proxying(GRPCProxyStream)
        /// A server reflection call the gateway answers itself.
        case reflecting(ReflectionServerCall)
        /// Answered or refused; further data is ignored.
        case done
    }

    private let dispatcher: RequestDispatcher
    private let limits: GatewayConfig.Limits
    private let clientAddress: String?
    private var streams: [Int32: StreamState] = [:]
    private let allocator = ByteBufferAllocator()

    init(dispatcher: RequestDispatcher, limits: GatewayConfig.Limits, clientAddress: String?) {
        self.dispatcher = dispatcher
        self.limits = limits
        self.clientAddress = clientAddress
    }

    func requestHeadersReceived(on stream: HTTP2ServerStream, headers: [HTTP2Header], endStream: Bool) {
        var method = ""
        var path = ""
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(headers.count)
        for header in headers {
            switch header.name {
            case ":method": method = header.value
            case ":path": path = header.value
            case ":authority": fields.append(("host", header.value))
            default: if !header.name.hasPrefix(":") { fields.append((header.name, header.value)) }
            }
        }
        guard headers.count <= limits.maxHeaderCount else {
            refuse(stream, .tooManyHeaders(headers.count, limit: limits.maxHeaderCount))
            return
        }
        if let contentType = fields.first(where: { $0.name == "content-type" })?.value,
            contentType.hasPrefix("application/grpc")
        {
            guard GRPCContentType.isNative(contentType) else {
                refuse(stream, .unsupportedGRPCVariant(contentType))
                return
            }
            if path.hasPrefix("/grpc.reflection."),
                let service = path.split(separator: "/", omittingEmptySubsequences: true).first,
                ReflectionServiceVersion(serviceName: service) != nil
            {
                startReflection(stream, path: path, endStream: endStream)
            } else {
                startProxy(stream, path: path, headers: fields, endStream: endStream)
            }
            return
        }
        if let length = fields.first(where: { $0.name == "content-length" }).flatMap({ Int($0.value) }),
            length > limits.maxRequestBytes
        {
            refuse(stream, .bodyTooLarge(limit: limits.maxRequestBytes))
            return
        }
        let request = GatewayRequest(
            method: method, target: path, headers: fields, body: allocator.buffer(capacity: 0),
            clientAddress: clientAddress)
        if endStream {
            dispatch(request, on: stream)
        } else {
            streams[stream.id] = .receiving(request, timer: bodyTimer(for: stream))
        }
    }

    /// Answers 408 if the stream's body goes `requestBodyTimeout` without a byte.
    private func bodyTimer(for stream: HTTP2ServerStream) -> CallDeadlines.Registration {
        dispatcher.deadlines.register(.now() + .init(limits.requestBodyTimeout)) {
            guard case .receiving = self.streams[stream.id] else { return }
            self.refuse(
                stream,
                .requestTimeout(
                    "the rest of the request body", key: "requestBodyTimeout", limit: self.limits.requestBodyTimeout))
        }
    }

    func requestDataReceived(on stream: HTTP2ServerStream, data: ByteBuffer, endStream: Bool) {
        switch streams[stream.id] {
        case .receiving(var request, let timer):
            dispatcher.deadlines.cancel(timer)
            streams[stream.id] = .done  // release the body so appending does not copy it
            guard request.body.readableBytes + data.readableBytes <= limits.maxRequestBytes else {
                refuse(stream, .bodyTooLarge(limit: limits.maxRequestBytes))
                return
            }
            var data = data
            request.body.writeBuffer(&data)
            if endStream {
                dispatch(request, on: stream)
            } else {
                streams[stream.id] = .receiving(request, timer: bodyTimer(for: stream))
            }
        case .proxying(let proxy):
            proxy.clientSent(data, endStream: endStream)
        case .reflecting(let call):
            call.clientSent(data, endStream: endStream)
        case .dispatched, .done, nil:
            break
        }
    }

    func streamClosed(_ stream: HTTP2ServerStream, error: HTTP2Error?) {
        let state = streams.removeValue(forKey: stream.id)
        if case .receiving(_, let timer) = state { dispatcher.deadlines.cancel(timer) }
        guard error != nil else { return }
        switch state {
        case .proxying(let proxy): proxy.clientClosed()
        case .reflecting(let call): call.clientClosed()
        case .dispatched(_, let cancel): cancel?()
        case .receiving, .done, nil: break
        }
    }

    private func startProxy(
        _ stream: HTTP2ServerStream, path: String, headers: [(name: String, value: String)], endStream: Bool
    ) {
        let service = path.split(separator: "/", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        guard let backend = dispatcher.runtime.backendsByService[service], let pool = dispatcher.pools[backend.name]
        else {
            streams[stream.id] = .done
            stream.sendResponseHeaders(
                [
                    HTTP2Header(name: ":status", value: "200"),
                    HTTP2Header(name: "content-type", value: "application/grpc"),
                    HTTP2Header(name: "grpc-status", value: String(GRPCStatusCode.unimplemented.rawValue)),
                    HTTP2Header(
                        name: "grpc-message", value: "unknown service \(GRPCStatusFields.percentEncoded(service))"),
                ],
                endStream: true)
            return
        }
        let record = dispatcher.record(
            route: nil, method: dispatcher.runtime.methodMetrics(path: path), httpMethod: "POST", routeName: path)
        let proxy = GRPCProxyStream(client: stream, pool: pool, path: path, headers: headers, record: record)
        streams[stream.id] = .proxying(proxy)
        proxy.start()
        if endStream { proxy.clientSent(allocator.buffer(capacity: 0), endStream: true) }
    }

    /// Answers a call to a reflection service: `ServerReflectionInfo` from the catalog, any other method with
    /// UNIMPLEMENTED.
    private func startReflection(_ stream: HTTP2ServerStream, path: String, endStream: Bool) {
        guard ReflectionServiceVersion.allCases.contains(where: { $0.methodPath == path }) else {
            streams[stream.id] = .done
            stream.sendResponseHeaders(
                [
                    HTTP2Header(name: ":status", value: "200"),
                    HTTP2Header(name: "content-type", value: "application/grpc"),
                    HTTP2Header(name: "grpc-status", value: String(GRPCStatusCode.unimplemented.rawValue)),
                    HTTP2Header(name: "grpc-message", value: "unknown method \(GRPCStatusFields.percentEncoded(path))"),
                ],
                endStream: true)
            return
        }
        let record = dispatcher.record(route: nil, method: nil, httpMethod: "POST", routeName: path)
        let call = ReflectionServerCall(
            stream: stream, catalog: dispatcher.runtime.reflectionCatalog, maxMessageBytes: limits.maxRequestBytes,
            record: record)
        streams[stream.id] = .reflecting(call)
        if endStream { call.clientSent(allocator.buffer(capacity: 0), endStream: true) }
    }

    func requestHeadersTooLarge(on stream: HTTP2ServerStream) {
        refuse(stream, .headersTooLarge(limit: limits.maxHeaderBytes))
    }

    func sendBufferDrained(on stream: HTTP2ServerStream) {
        switch streams[stream.id] {
        case .proxying(let proxy): proxy.clientSendBufferDrained()
        case .reflecting(let call): call.sendBufferDrained()
        case .dispatched(let writer, _): writer.sendBufferDrained()
        case .receiving, .done, nil: break
        }
    }

    private func dispatch(_ request: GatewayRequest, on stream: HTTP2ServerStream) {
        let writer = HTTP2ResponseWriter(stream: stream)
        streams[stream.id] = .dispatched(writer, cancel: nil)
        let cancel = dispatcher.handle(request, writer: writer)
        if case .dispatched = streams[stream.id] { streams[stream.id] = .dispatched(writer, cancel: cancel) }
    }

    private func refuse(_ stream: HTTP2ServerStream, _ error: GatewayError) {
        streams[stream.id] = .done
        dispatcher.logRefusal(error)
        HTTP2ResponseWriter(stream: stream).writeError(error, allocator: allocator)
    }
}

/// Writes a JSON reply on an HTTP/2 stream.
final class HTTP2ResponseWriter: ResponseWriter {
    private let stream: HTTP2ServerStream
    private var writableAction: (() -> Void)?

    init(stream: HTTP2ServerStream) {
        self.stream = stream
    }

    func writeResponse(status: Int, headers: [(name: String, value: String)], body: ByteBuffer) {
        var block = [HTTP2Header(name: ":status", value: String(status))]
        block.reserveCapacity(headers.count + 2)
        for (name, value) in headers { block.append(HTTP2Header(name: name, value: value)) }
        block.append(HTTP2Header(name: "content-length", value: String(body.readableBytes)))
        stream.sendResponseHeaders(block, endStream: false)
        stream.sendData(body, endStream: true)
        writableAction = nil
    }

    func startStreamingResponse(status: Int, headers: [(name: String, value: String)]) {
        var block = [HTTP2Header(name: ":status", value: String(status))]
        for (name, value) in headers { block.append(HTTP2Header(name: name, value: value)) }
        stream.sendResponseHeaders(block, endStream: false)
    }

    func writeBodyChunk(_ chunk: ByteBuffer) {
        stream.sendData(chunk, endStream: false)
    }

    func endStreamingResponse() {
        stream.sendData(ByteBuffer(), endStream: true)
        writableAction = nil
    }

    func abortStreamingResponse() {
        stream.reset(errorCode: .internalError)
        writableAction = nil
    }

    var isWritable: Bool { stream.isWritable }

    func whenWritable(_ action: @escaping () -> Void) {
        if stream.isWritable {
            action()
        } else {
            writableAction = action
        }
    }

    /// The stream's send buffer drained: runs the action waiting for it.
    func sendBufferDrained() {
        let action = writableAction
        writableAction = nil
        action?()
    }
}

@available(*, unavailable)
extension HTTP2RequestHandler: Sendable {}

@available(*, unavailable)
extension HTTP2ResponseWriter: Sendable {}
