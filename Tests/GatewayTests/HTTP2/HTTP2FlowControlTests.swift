import Gateway
import NIOCore
import NIOEmbedded
import Testing

/// Back-pressure in the nghttp2 session wrapper: received DATA is given back to the peer's windows only as it is
/// consumed, and a stream's send buffer reports when it is over its high-water mark and when it drained.
@Suite("HTTP/2 flow control and back-pressure in memory")
struct HTTP2FlowControlTests {
    /// The protocol's default stream window, which both faces advertise by default.
    static let streamWindow = 65_535

    @Test("A paused stream lets the peer send one stream window, and the rest once it resumes")
    func pausedStreamHoldsThePeer() throws {
        let connection = try InMemoryHTTP2Connection()
        connection.serverDelegate.answers = false
        let (stream, _) = try connection.startStream(path: "/paused")
        try connection.exchange()
        let serverStream = try #require(connection.serverDelegate.openStreams[stream.id])
        serverStream.pauseReceiving()

        stream.sendData(ByteBuffer(repeating: 1, count: 1 << 20), endStream: true)
        try connection.exchange()
        #expect(connection.serverDelegate.receivedBytes[stream.id] == Self.streamWindow)
        #expect(stream.bufferedBytes == (1 << 20) - Self.streamWindow)

        serverStream.resumeReceiving()
        try connection.exchange()
        #expect(connection.serverDelegate.receivedBytes[stream.id] == 1 << 20)
        #expect(stream.bufferedBytes == 0)
    }

    @Test("A paused stream does not hold up the other streams of its connection")
    func pausedStreamLeavesTheConnectionWindow() throws {
        let connection = try InMemoryHTTP2Connection()
        connection.serverDelegate.answers = false
        let (paused, _) = try connection.startStream(path: "/paused")
        let (other, _) = try connection.startStream(path: "/other")
        try connection.exchange()
        try #require(connection.serverDelegate.openStreams[paused.id]).pauseReceiving()

        // Four times the connection window (1 MiB): it only gets through if DATA is given back to the connection
        // as it arrives, whatever the paused stream holds.
        paused.sendData(ByteBuffer(repeating: 1, count: 1 << 20), endStream: true)
        other.sendData(ByteBuffer(repeating: 2, count: 4 << 20), endStream: true)
        try connection.exchange()
        #expect(connection.serverDelegate.receivedBytes[paused.id] == Self.streamWindow)
        #expect(connection.serverDelegate.receivedBytes[other.id] == 4 << 20)
    }

    @Test("Resuming a stream that never paused, or pausing a closed one, changes nothing")
    func pauseAndResumeAreHarmlessOutOfOrder() throws {
        let connection = try InMemoryHTTP2Connection()
        let (stream, recorder) = try connection.startStream(path: "/echo")
        try connection.exchange()
        let serverStream = try #require(connection.serverDelegate.openStreams[stream.id])
        serverStream.resumeReceiving()
        stream.sendData(.grpcMessage(Array(repeating: 3, count: 100_000)), endStream: true)
        try connection.exchange()
        #expect(recorder.record.grpcMessages == [Array(repeating: 3, count: 100_000)])
        #expect(recorder.record.grpcStatus == "0")

        serverStream.pauseReceiving()
        serverStream.resumeReceiving()
        stream.pauseReceiving()
        try connection.exchange()
        #expect(recorder.closeCount.value == 1)
        #expect(recorder.record.error == nil)
    }

    @Test("The send buffer turns unwritable over its high-water mark and reports once when it drained to half")
    func sendBufferWritability() throws {
        let connection = try InMemoryHTTP2Connection(
            clientConfiguration: HTTP2Configuration(sendBufferHighWaterMark: 100_000))
        connection.serverDelegate.answers = false
        let (stream, recorder) = try connection.startStream(path: "/upload")
        try connection.exchange()
        let serverStream = try #require(connection.serverDelegate.openStreams[stream.id])
        serverStream.pauseReceiving()

        stream.sendData(ByteBuffer(repeating: 4, count: 100_000), endStream: false)
        #expect(stream.isWritable)
        stream.sendData(ByteBuffer(repeating: 4, count: 100_000), endStream: false)
        #expect(!stream.isWritable)
        try connection.exchange()
        // One stream window went out; 134,465 bytes are still over half the mark.
        #expect(stream.bufferedBytes == 200_000 - Self.streamWindow)
        #expect(!stream.isWritable)
        #expect(recorder.record.sendBufferDrainedCount == 0)

        serverStream.resumeReceiving()
        try connection.exchange()
        #expect(stream.bufferedBytes == 0)
        #expect(stream.isWritable)
        #expect(recorder.record.sendBufferDrainedCount == 1)
        #expect(connection.serverDelegate.receivedBytes[stream.id] == 200_000)
    }

    @Test("An echo that pauses its input while its output is full holds a bounded amount for a paused reader")
    func echoThroughBackPressure() throws {
        let highWater = 32 << 10
        let connection = try InMemoryHTTP2Connection(
            serverConfiguration: HTTP2Configuration(sendBufferHighWaterMark: highWater))
        let (stream, recorder) = try connection.startStream(path: "/echo")
        try connection.exchange()
        stream.pauseReceiving()
        let serverStream = try #require(connection.serverDelegate.openStreams[stream.id])

        let body = (0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        stream.sendData(ByteBuffer(bytes: body), endStream: true)
        try connection.exchange()
        // The client reads one window of the echo; the server holds at most its high-water mark plus the one
        // window it received after it paused; the rest waits in the client's own send buffer.
        #expect(recorder.record.body.count == Self.streamWindow)
        #expect(serverStream.bufferedBytes <= highWater + Self.streamWindow)
        #expect(stream.bufferedBytes >= body.count - 3 * Self.streamWindow - highWater)
        #expect(connection.serverDelegate.receivedBytes[stream.id]! < 3 * Self.streamWindow + highWater)

        stream.resumeReceiving()
        try connection.exchange()
        #expect(recorder.record.body == body)
        #expect(recorder.record.grpcStatus == "0")
        #expect(connection.serverDelegate.drainedCount > 0)
    }
}
