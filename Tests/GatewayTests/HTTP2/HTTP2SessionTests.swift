import Gateway
import NIOCore
import NIOEmbedded
import Testing

/// The nghttp2 session wrapper, server face against client face in memory, checked frame by frame.
@Suite("HTTP/2 session wrapper in memory")
struct HTTP2SessionTests {
    @Test("A unary gRPC-style call gets response headers, the echoed body and grpc-status trailers")
    func unaryCall() throws {
        let connection = try InMemoryHTTP2Connection()
        let (stream, recorder) = try connection.startStream()
        stream.sendData(.grpcMessage(Array("hello".utf8)), endStream: true)
        try connection.exchange()

        #expect(recorder.closeCount.value == 1)
        #expect(recorder.record.error == nil)
        #expect(recorder.record.headers?.first { $0.name == ":status" }?.value == "200")
        #expect(recorder.record.grpcMessages == [Array("hello".utf8)])
        #expect(recorder.record.grpcStatus == "0")
        #expect(connection.serverDelegate.closures.count == 1)
        #expect(connection.serverDelegate.closures.first?.error == nil)
        #expect(connection.client.openStreamCount == 0)

        let request = try #require(connection.serverDelegate.requestHeaders[stream.id])
        #expect(request.map(\.name) == [":method", ":scheme", ":path", ":authority", "content-type", "te"])
        let responseKinds = connection.serverFrames.filter { $0.streamID == stream.id }.compactMap(\.kind)
        #expect(responseKinds == [.headers, .data, .headers])
        #expect(connection.serverFrames.last { $0.streamID == stream.id }?.endsStream == true)
    }

    @Test("The server's first frame is SETTINGS advertising the configured limits")
    func serverSettings() throws {
        let configuration = HTTP2Configuration(maxConcurrentStreams: 7)
        let connection = try InMemoryHTTP2Connection(serverConfiguration: configuration)
        let first = try #require(connection.serverFrames.first)
        #expect(first.kind == .settings)
        #expect(!first.isAck)
        #expect(connection.client.peerMaxConcurrentStreams == 7)
    }

    @Test("Header names are lower-cased and connection-specific fields are dropped before sending")
    func headerValidation() throws {
        let connection = try InMemoryHTTP2Connection()
        let recorder = RecordingClientStream()
        let stream = try connection.client.startStream(
            headers: HTTP2Header.grpcRequest(path: "/a") + [
                HTTP2Header(name: "X-Custom", value: "1"),
                HTTP2Header(name: "connection", value: "keep-alive"),
                HTTP2Header(name: "bad name", value: "2"),
                HTTP2Header(name: "x-bad-value", value: "a\r\nb"),
            ],
            endStream: true,
            delegate: recorder
        )
        try connection.exchange()
        let request = try #require(connection.serverDelegate.requestHeaders[stream.id])
        #expect(request.contains(HTTP2Header(name: "x-custom", value: "1")))
        #expect(!request.contains { $0.name == "connection" || $0.name == "bad name" || $0.name == "x-bad-value" })
        #expect(recorder.record.error == nil)
    }

    @Test("Bodies larger than the 64 KiB flow-control windows travel both ways", arguments: [70_000, 1 << 20])
    func largeBodies(size: Int) throws {
        let connection = try InMemoryHTTP2Connection()
        let (stream, recorder) = try connection.startStream(path: "/large")
        let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        stream.sendData(ByteBuffer(bytes: body), endStream: true)
        try connection.exchange()

        #expect(connection.serverDelegate.receivedBytes[stream.id] == size)
        #expect(recorder.record.error == nil)
        #expect(recorder.record.body == body)
        #expect(recorder.record.grpcStatus == "0")
        let dataFrames = connection.serverFrames.filter { $0.kind == .data && $0.streamID == stream.id }
        #expect(dataFrames.allSatisfy { $0.payload.count <= 16_384 })
    }

    @Test("A slow reader stops the output until the channel is writable again")
    func slowReader() throws {
        let connection = try InMemoryHTTP2Connection(
            serverConfiguration: HTTP2Configuration(initialWindowSize: 1 << 20))
        connection.serverDelegate.answers = false
        let (stream, recorder) = try connection.startStream(path: "/slow", endStream: true)
        try connection.exchange()
        let serverStream = try #require(connection.serverDelegate.openStreams[stream.id])

        connection.serverChannel.isWritable = false
        connection.serverChannel.pipeline.fireChannelWritabilityChanged()
        let framesBefore = connection.serverFrames.count
        serverStream.sendResponseHeaders([HTTP2Header(name: ":status", value: "200")], endStream: false)
        serverStream.sendData(ByteBuffer(repeating: 7, count: 200_000), endStream: true)
        try connection.exchange()
        #expect(connection.serverFrames.count == framesBefore)
        #expect(serverStream.bufferedBytes == 200_000)

        connection.serverChannel.isWritable = true
        connection.serverChannel.pipeline.fireChannelWritabilityChanged()
        try connection.exchange()
        #expect(recorder.record.body.count == 200_000)
        #expect(recorder.record.error == nil)
        #expect(recorder.closeCount.value == 1)
        #expect(serverStream.bufferedBytes == 0)
    }

    @Test("Graceful shutdown sends GOAWAY, lets the open stream finish, then closes the connection")
    func gracefulShutdown() throws {
        let connection = try InMemoryHTTP2Connection()
        connection.serverDelegate.answers = false
        let (stream, recorder) = try connection.startStream(endStream: true)
        try connection.exchange()

        connection.serverHandler.startGracefulShutdown()
        try connection.exchange()
        let goAway = try #require(connection.serverFrames.first { $0.kind == .goAway })
        #expect(goAway.word(at: 0) == UInt32(stream.id))
        #expect(goAway.word(at: 4) == HTTP2ErrorCode.noError.rawValue)
        #expect(connection.connectionDelegate.goAways.map(\.lastStreamID) == [stream.id])
        #expect(!connection.client.isActive)
        #expect(throws: HTTP2Error.self) { try connection.startStream() }
        #expect(connection.serverChannel.isActive)

        let serverStream = try #require(connection.serverDelegate.openStreams[stream.id])
        serverStream.sendResponseHeaders([HTTP2Header(name: ":status", value: "200")], endStream: false)
        serverStream.sendTrailers([HTTP2Header(name: "grpc-status", value: "0")])
        try connection.exchange()
        #expect(recorder.record.error == nil)
        #expect(recorder.record.grpcStatus == "0")
        #expect(!connection.serverChannel.isActive)
        #expect(!connection.clientChannel.isActive)
        #expect(connection.connectionDelegate.closeErrors.count == 1)
    }

    @Test("A stream started after GOAWAY's last-stream-id fails as never processed")
    func streamAboveGoAway() throws {
        let connection = try InMemoryHTTP2Connection()
        connection.serverDelegate.answers = false
        let (first, firstRecorder) = try connection.startStream()
        try connection.exchange()
        let (_, secondRecorder) = try connection.startStream()

        // The server's GOAWAY reaches the client before the second stream's HEADERS left it.
        connection.serverHandler.startGracefulShutdown()
        connection.serverChannel.embeddedEventLoop.run()
        while let bytes = try connection.serverChannel.readOutbound(as: ByteBuffer.self) {
            try connection.clientChannel.writeInbound(bytes)
        }
        try connection.exchange()

        let error = try #require(secondRecorder.record.error)
        #expect(error.code == .goAway)
        #expect(error.requestNeverProcessed)
        #expect(secondRecorder.closeCount.value == 1)
        #expect(!firstRecorder.isClosed)
        #expect(connection.serverDelegate.requestHeaders.count == 1)
        #expect(connection.serverDelegate.openStreams[first.id] != nil)
    }

    @Test("RST_STREAM from the client reaches the server delegate as a reset with its code")
    func clientReset() throws {
        let connection = try InMemoryHTTP2Connection()
        connection.serverDelegate.answers = false
        let (stream, recorder) = try connection.startStream()
        try connection.exchange()
        stream.reset(errorCode: .cancel)
        try connection.exchange()

        let serverClosure = try #require(connection.serverDelegate.closures.first)
        #expect(serverClosure.error?.code == .streamReset)
        #expect(serverClosure.error?.errorCode == .cancel)
        #expect(connection.clientFrames.contains { $0.kind == .rstStream && $0.word(at: 0) == 8 })
        #expect(recorder.closeCount.value == 1)
        #expect(recorder.record.error?.code == .streamReset)
        #expect(recorder.record.error?.requestNeverProcessed == false)
    }

    @Test("RST_STREAM REFUSED_STREAM from the server fails the client stream as never processed")
    func serverRefusal() throws {
        let connection = try InMemoryHTTP2Connection()
        connection.serverDelegate.answers = false
        let (stream, recorder) = try connection.startStream()
        try connection.exchange()
        try #require(connection.serverDelegate.openStreams[stream.id]).reset(errorCode: .refusedStream)
        try connection.exchange()

        let error = try #require(recorder.record.error)
        #expect(error.code == .streamReset)
        #expect(error.errorCode == .refusedStream)
        #expect(error.requestNeverProcessed)
        #expect(error.description.contains("REFUSED_STREAM"))
        #expect(connection.serverDelegate.closures.count == 1)
        #expect(connection.serverDelegate.closures.first?.error?.errorCode == .refusedStream)
    }

    @Test("A request header block over maxHeaderListSize reaches the delegate as too large, without its fields")
    func oversizedHeaders() throws {
        let connection = try InMemoryHTTP2Connection(serverConfiguration: HTTP2Configuration(maxHeaderListSize: 1024))
        let recorder = RecordingClientStream()
        _ = try connection.client.startStream(
            headers: HTTP2Header.grpcRequest(path: "/big") + [
                HTTP2Header(name: "x-large", value: String(repeating: "a", count: 2000))
            ],
            endStream: true,
            delegate: recorder
        )
        try connection.exchange()
        #expect(recorder.record.headers?.first { $0.name == ":status" }?.value == "431")
        #expect(recorder.record.headersEndedStream)
        #expect(connection.serverDelegate.requestHeaders.isEmpty)
        #expect(connection.serverDelegate.oversizedRequests == 1)
    }

    @Test("Connection loss fails every open stream exactly once, unsent ones as never processed")
    func connectionLoss() throws {
        let connection = try InMemoryHTTP2Connection()
        connection.serverDelegate.answers = false
        let (_, sentRecorder) = try connection.startStream()
        try connection.exchange()
        let (_, unsentRecorder) = try connection.startStream()

        try connection.serverChannel.close().wait()
        try connection.clientChannel.close().wait()
        try connection.exchange()

        #expect(sentRecorder.closeCount.value == 1)
        #expect(sentRecorder.record.error?.code == .connectionClosed)
        #expect(sentRecorder.record.error?.requestNeverProcessed == false)
        #expect(unsentRecorder.closeCount.value == 1)
        #expect(unsentRecorder.record.error?.requestNeverProcessed == true)
        #expect(connection.serverDelegate.closures.count == 1)
        #expect(connection.serverDelegate.closures.first?.error?.code == .connectionClosed)
        #expect(connection.connectionDelegate.closeErrors.count == 1)
    }

    @Test("The client refuses a stream beyond the peer's MAX_CONCURRENT_STREAMS")
    func concurrencyLimit() throws {
        let connection = try InMemoryHTTP2Connection(serverConfiguration: HTTP2Configuration(maxConcurrentStreams: 2))
        connection.serverDelegate.answers = false
        _ = try connection.startStream()
        _ = try connection.startStream()
        let error = #expect(throws: HTTP2Error.self) { try connection.startStream() }
        #expect(error?.code == .streamUnavailable)
        #expect(error?.requestNeverProcessed == true)
    }

    @Test("Keepalive PINGs are acknowledged, and one left unanswered closes the connection")
    func keepalive() throws {
        let configuration = HTTP2Configuration(
            keepaliveInterval: .milliseconds(100), keepaliveTimeout: .milliseconds(50))
        let connection = try InMemoryHTTP2Connection(clientConfiguration: configuration)
        let clientLoop = connection.clientChannel.embeddedEventLoop

        clientLoop.advanceTime(by: .milliseconds(100))
        try connection.exchange()
        #expect(connection.clientFrames.filter { $0.kind == .ping && !$0.isAck }.count == 1)
        #expect(connection.serverFrames.contains { $0.kind == .ping && $0.isAck })
        clientLoop.advanceTime(by: .milliseconds(60))
        #expect(connection.clientChannel.isActive)

        // The next PING goes out at 200 ms and is never delivered; its timeout expires at 250 ms.
        clientLoop.advanceTime(by: .milliseconds(100))
        #expect(!connection.clientChannel.isActive)
        #expect(connection.connectionDelegate.closeErrors.count == 1)
        #expect(connection.connectionDelegate.closeErrors.first??.code == .keepaliveTimeout)
    }
}
