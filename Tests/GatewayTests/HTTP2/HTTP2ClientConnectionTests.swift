import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Gateway
import NIOCore
import NIOPosix
import PorticoTestSupport
import Testing

/// The client face over real sockets: against Python grpcio, grpc-swift-2, and the server face.
@Suite("HTTP/2 client connection over sockets")
struct HTTP2ClientConnectionTests {
    static let pythonServer = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("helpers/grpc_echo_server.py").path

    /// Starts the Python grpcio echo server; `maxConcurrentStreams` sets `grpc.max_concurrent_streams`.
    static func startPythonServer(maxConcurrentStreams: Int? = nil, answeringAnyMethod: Bool = false)
        async throws -> (HelperProcess, Int)
    {
        let arguments =
            [Self.pythonServer] + (maxConcurrentStreams.map { [String($0)] } ?? [])
            + (answeringAnyMethod ? ["--answer-any-method"] : [])
        let (helper, line) = try await HelperProcess.startPrintingReadyLine("/usr/bin/env", ["python3"] + arguments)
        let port = try #require(Int(line), "the Python server printed \(line.debugDescription)")
        return (helper, port)
    }

    /// Opens a connection, runs one call sending `messages`, and closes the connection.
    static func call(
        port: Int,
        path: String,
        messages: [[UInt8]],
        body: ByteBuffer? = nil
    ) async throws -> ClientStreamRecord {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        return try await loop.flatSubmit {
            HTTP2ClientConnection.connect(
                host: "127.0.0.1",
                port: port,
                eventLoop: loop,
                configuration: .defaults,
                delegate: nil
            ).assumeIsolated().flatMap { connection in
                let closed = loop.makePromise(of: ClientStreamRecord.self)
                do {
                    let stream = try connection.startStream(
                        headers: HTTP2Header.grpcRequest(path: path),
                        endStream: false,
                        delegate: RecordingClientStream(closed: closed)
                    )
                    for message in messages {
                        stream.sendData(.grpcMessage(message), endStream: false)
                    }
                    stream.sendData(body ?? ByteBuffer(), endStream: true)
                } catch {
                    closed.fail(error)
                }
                return closed.futureResult.assumeIsolated().always { _ in connection.close(graceful: true) }
                    .nonisolated()
            }.nonisolated()
        }.get()
    }

    @Test("A unary call to grpcio echoes the message and ends with grpc-status 0")
    func pythonUnary() async throws {
        let (server, port) = try await Self.startPythonServer()
        defer { server.stop() }
        let record = try await Self.call(port: port, path: "/echo.Echo/Unary", messages: [Array("ping".utf8)])
        #expect(record.error == nil)
        #expect(record.headers?.first { $0.name == ":status" }?.value == "200")
        #expect(record.grpcMessages == [Array("ping".utf8)])
        #expect(record.grpcStatus == "0")
    }

    /// grpcio reads a whole message before it answers anything (no WINDOW_UPDATE while its window is open), so
    /// only the connection's own writability can move the rest of a large request out: a request above the
    /// channel's 64 KiB write high-water mark once hung here.
    @Test(
        "Unary calls to grpcio larger than the write buffer's high-water mark echo in full",
        arguments: [65_536 + 1, 200_000, 1 << 20, 3 << 20]
    )
    func pythonLargeUnary(size: Int) async throws {
        let (server, port) = try await Self.startPythonServer()
        defer { server.stop() }
        let message = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let record = try await Self.call(port: port, path: "/echo.Echo/Unary", messages: [message])
        #expect(record.error == nil)
        #expect(record.grpcMessages.map(\.count) == [size])
        let echoedExactly = record.grpcMessages.first == message
        #expect(echoedExactly, "the echoed bytes differ from the \(size) sent")
        #expect(record.grpcStatus == "0")
    }

    @Test("A server-streaming call to grpcio receives three messages")
    func pythonServerStreaming() async throws {
        let (server, port) = try await Self.startPythonServer()
        defer { server.stop() }
        let record = try await Self.call(port: port, path: "/echo.Echo/ServerStream", messages: [[1, 2, 3]])
        #expect(record.error == nil)
        #expect(record.grpcMessages == [[1, 2, 3], [1, 2, 3], [1, 2, 3]])
        #expect(record.grpcStatus == "0")
    }

    @Test("A call to an unknown method gets grpc-status 12 from grpcio")
    func pythonUnknownMethod() async throws {
        let (server, port) = try await Self.startPythonServer()
        defer { server.stop() }
        let record = try await Self.call(port: port, path: "/echo.Echo/Missing", messages: [[1]])
        #expect(record.error == nil)
        #expect(record.grpcStatus == "12")
    }

    @Test("grpcio's MAX_CONCURRENT_STREAMS is honoured: a third stream is refused locally")
    func pythonConcurrencyLimit() async throws {
        let (server, port) = try await Self.startPythonServer(maxConcurrentStreams: 2)
        defer { server.stop() }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let outcome = try await loop.flatSubmit {
            HTTP2ClientConnection.connect(
                host: "127.0.0.1",
                port: port,
                eventLoop: loop,
                configuration: .defaults,
                delegate: nil
            ).assumeIsolated().map { connection -> (Int, String?, Int) in
                var streams: [HTTP2ClientStream] = []
                var refusal: String?
                for _ in 0..<3 {
                    do throws(HTTP2Error) {
                        streams.append(
                            try connection.startStream(
                                headers: HTTP2Header.grpcRequest(path: "/echo.Echo/Hang"),
                                endStream: false,
                                delegate: RecordingClientStream()
                            )
                        )
                    } catch {
                        refusal = "\(error.code)"
                    }
                }
                let limit = connection.peerMaxConcurrentStreams
                connection.close(graceful: false)
                return (streams.count, refusal, limit)
            }.nonisolated()
        }.get()
        #expect(outcome.0 == 2)
        #expect(outcome.1 == "\(HTTP2Error.Code.streamUnavailable)")
        #expect(outcome.2 == 2)
    }

    @Test("Killing the server mid-call fails the stream exactly once")
    func pythonServerKilled() async throws {
        let (server, port) = try await Self.startPythonServer()
        defer { server.stop() }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let firstData = loop.makePromise(of: Void.self)
        let closed = loop.makePromise(of: ClientStreamRecord.self)
        let closeCount = CallCounter()
        let connectionClosed = try await loop.flatSubmit {
            HTTP2ClientConnection.connect(
                host: "127.0.0.1",
                port: port,
                eventLoop: loop,
                configuration: .defaults,
                delegate: nil
            ).assumeIsolated().flatMap { connection in
                do {
                    let stream = try connection.startStream(
                        headers: HTTP2Header.grpcRequest(path: "/echo.Echo/Hang"),
                        endStream: false,
                        delegate: RecordingClientStream(closed: closed, firstData: firstData, closeCount: closeCount)
                    )
                    stream.sendData(.grpcMessage([9]), endStream: true)
                } catch {
                    firstData.fail(error)
                }
                let connectionClosed = connection.closeFuture
                return firstData.futureResult.map { connectionClosed }
            }.nonisolated()
        }.get()
        server.kill()
        let record = try await closed.futureResult.get()
        try await connectionClosed.get()
        #expect(record.grpcMessages == [[9]])
        let error = try #require(record.error)
        #expect(error.code == .connectionClosed)
        #expect(!error.requestNeverProcessed)
        #expect(closeCount.value == 1)
    }

    @Test("A unary call and an unknown method against a grpc-swift-2 server")
    func grpcSwiftServer() async throws {
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: 0),
            transportSecurity: .plaintext
        )
        let server = GRPCServer(transport: transport, services: [RawBytesEchoService()])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            defer { server.beginGracefulShutdown() }
            let port = try #require(try await transport.listeningAddress.ipv4?.port)

            let unary = try await Self.call(port: port, path: "/echo.Echo/Unary", messages: [Array("swift".utf8)])
            #expect(unary.error == nil)
            #expect(unary.grpcMessages == [Array("swift".utf8)])
            #expect(unary.grpcStatus == "0")

            let streaming = try await Self.call(port: port, path: "/echo.Echo/ServerStream", messages: [[4]])
            #expect(streaming.grpcMessages == [[4], [4], [4]])
            #expect(streaming.grpcStatus == "0")

            let missing = try await Self.call(port: port, path: "/echo.Echo/Missing", messages: [[1]])
            #expect(missing.grpcStatus == "12")
            #expect(missing.headersEndedStream)
        }
    }

    @Test("A megabyte each way through the server face over a socket")
    func largeBodiesOverSocket() async throws {
        let server = try await HTTP2EchoServer.start(group: MultiThreadedEventLoopGroup.singleton)
        let body = ByteBuffer(repeating: 0x5a, count: 1 << 20)
        let record = try await Self.call(port: server.port, path: "/large", messages: [], body: body)
        try await server.stop()
        #expect(record.error == nil)
        #expect(record.body.count == 1 << 20)
        #expect(record.grpcStatus == "0")
    }

    @Test("An endpoint that accepts TCP but never speaks HTTP/2 fails the connect with handshakeTimeout")
    func handshakeTimeout() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(silent.localAddress?.port)
        defer { silent.close(promise: nil) }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let error = await #expect(throws: HTTP2Error.self) {
            try await loop.flatSubmit {
                HTTP2ClientConnection.connect(
                    host: "127.0.0.1",
                    port: port,
                    eventLoop: loop,
                    configuration: HTTP2Configuration(handshakeTimeout: .milliseconds(200)),
                    delegate: nil
                ).map { _ in () }
            }.get()
        }
        #expect(error?.code == .handshakeTimeout)
        #expect(error?.requestNeverProcessed == true)
    }

    @Test("Connecting to a closed port fails with connectFailed")
    func connectRefused() async throws {
        // A socket bound but not listening holds its port, so no other test can take it, and refuses connections.
        let reserved = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(reserved >= 0)
        defer { close(reserved) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(reserved, generic, length) == 0 && getsockname(reserved, generic, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let error = await #expect(throws: HTTP2Error.self) {
            try await loop.flatSubmit {
                HTTP2ClientConnection.connect(
                    host: "127.0.0.1",
                    port: port,
                    eventLoop: loop,
                    configuration: .defaults,
                    delegate: nil
                ).map { _ in () }
            }.get()
        }
        #expect(error?.code == .connectFailed)
    }
}
