import DemoServices
import Foundation
import GRPCCore
import Testing

/// The four kinds of gRPC call, each an EchoService method.
enum CallKind: String, Sendable, CaseIterable, CustomTestStringConvertible {
    /// Echo.
    case unary
    /// Expand.
    case serverStreaming
    /// Collect.
    case clientStreaming
    /// Chat.
    case bidirectional

    var testDescription: String { rawValue }
}

extension InteropMatrix {
    typealias EchoRequest = Portico_Demo_Echo_V1_EchoRequest
    typealias EchoResponse = Portico_Demo_Echo_V1_EchoResponse
    typealias ExpandRequest = Portico_Demo_Echo_V1_ExpandRequest

    /// Native calls fail rather than hang (2 MiB through debug builds of grpc-swift take seconds).
    static var callOptions: CallOptions {
        var options = CallOptions.defaults
        options.timeout = .seconds(60)
        return options
    }

    static func request(_ message: String, _ change: (inout EchoRequest) -> Void = { _ in }) -> EchoRequest {
        var request = EchoRequest()
        request.message = message
        change(&request)
        return request
    }

    /// Metadata sent with every native call: one text and one binary entry.
    static let requestMetadata: Metadata = [tenant.key: .string(tenant.value), "x-interop-blob-bin": .binary([0, 1, 254, 255])]
    /// How the backends report `x-interop-blob-bin` in `received_metadata`: base64.
    static let blobBase64 = "AAH+/w=="

    // MARK: - sizes

    /// One call of `kind` carrying a message of `size` each way, through the gateway, with exact replies.
    static func grpcSizes(_ kind: CallKind, _ size: InteropSize) async throws {
        let environment = try InteropEnvironment.required()
        let echo = environment.echo
        let name = environment.stack.backendName
        try await environment.taking(size) {
            try await grpcSizes(kind, size, message: size.message(), echo: echo, name: name)
        }
    }

    private static func grpcSizes(
        _ kind: CallKind, _ size: InteropSize, message: String,
        echo: Portico_Demo_Echo_V1_EchoService.Client<some ClientTransport>, name: String
    ) async throws {
        switch kind {
        case .unary:
            let reply = try await echo.echo(request(message), options: callOptions)
            expectSamePayload(reply.message, message, "the echoed message")
            #expect(reply.servedBy == name)
            #expect(reply.sequence == 0)

        case .serverStreaming:
            var expand = ExpandRequest()
            expand.message = message
            expand.count = 2
            let replies = try await echo.expand(expand, options: callOptions) { response in
                var replies: [EchoResponse] = []
                for try await reply in response.messages { replies.append(reply) }
                return replies
            }
            #expect(replies.map(\.sequence) == [0, 1])
            for (index, reply) in replies.enumerated() {
                expectSamePayload(reply.message, message, "message \(index)")
                #expect(reply.servedBy == name)
            }

        case .clientStreaming:
            let reply = try await echo.collect(options: callOptions) { writer in
                try await writer.write(request(message))
                try await writer.write(request("b"))
                try await writer.write(request("c"))
            }
            expectSamePayload(reply.message, message + " b c", "the collected message")
            #expect(reply.sequence == 3)
            #expect(reply.servedBy == name)

        case .bidirectional:
            let messages = [size.message(seed: 1), size.message(seed: 2)]
            let replies = try await chatInTurns(messages.map { request($0) }, echo: echo)
            #expect(replies.map(\.sequence) == [0, 1])
            for (index, reply) in replies.enumerated() where index < messages.count {
                expectSamePayload(reply.message, messages[index], "reply \(index)")
                #expect(reply.servedBy == name)
            }
        }
    }

    /// Chat, sending each request only once the reply to the one before has come back: the gateway must
    /// pass messages both ways while the call is open, not buffer a whole side.
    static func chatInTurns(
        _ requests: [EchoRequest], echo: Portico_Demo_Echo_V1_EchoService.Client<some ClientTransport>,
        metadata: Metadata = [:], options: CallOptions = callOptions
    ) async throws -> [EchoResponse] {
        let (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        return try await echo.chat(metadata: metadata, options: options) { writer in
            var turns = arrivals.makeAsyncIterator()
            for request in requests {
                try await writer.write(request)
                guard await turns.next() != nil else { return }  // the call ended
            }
        } onResponse: { response in
            defer { arrived.finish() }
            var replies: [EchoResponse] = []
            for try await reply in response.messages {
                replies.append(reply)
                arrived.yield()
            }
            return replies
        }
    }

    // MARK: - metadata

    /// Request metadata (text and binary) reaches the backend; response headers and trailers reach the client.
    static func grpcMetadata(_ kind: CallKind) async throws {
        let environment = try InteropEnvironment.required()
        let echo = environment.echo
        let name = environment.stack.backendName
        let asked = request("m") { request in
            var color = Portico_Demo_Echo_V1_MetadataEntry()
            color.key = "x-color"
            color.value = "red"
            var blob = Portico_Demo_Echo_V1_MetadataEntry()
            blob.key = "x-reply-blob-bin"
            blob.binaryValue = Data([9, 0, 200])
            var cost = Portico_Demo_Echo_V1_MetadataEntry()
            cost.key = "x-cost"
            cost.value = "3"
            request.responseHeaders = [color, blob]
            request.responseTrailers = [cost]
        }
        /// What every reply must say about the request metadata.
        func expectReceived(_ reply: EchoResponse, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(reply.receivedMetadata[tenant.key] == tenant.value, "\(reply.receivedMetadata)", sourceLocation: sourceLocation)
            #expect(reply.receivedMetadata["x-interop-blob-bin"] == blobBase64, "\(reply.receivedMetadata)", sourceLocation: sourceLocation)
            #expect(reply.receivedMetadata["grpc-timeout"] != nil, "\(reply.receivedMetadata)", sourceLocation: sourceLocation)
        }
        func expectHeaders(_ metadata: Metadata, all: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(Array(metadata[stringValues: "served-by"]) == [name], "\(metadata)", sourceLocation: sourceLocation)
            guard all else { return }
            #expect(Array(metadata[stringValues: "x-color"]) == ["red"], "\(metadata)", sourceLocation: sourceLocation)
            #expect(Array(metadata[binaryValues: "x-reply-blob-bin"]) == [[9, 0, 200]], "\(metadata)", sourceLocation: sourceLocation)
        }
        func expectTrailers(_ metadata: Metadata, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(Array(metadata[stringValues: "x-cost"]) == ["3"], "\(metadata)", sourceLocation: sourceLocation)
        }

        switch kind {
        case .unary:
            let response = try await echo.echo(asked, metadata: requestMetadata, options: callOptions) { $0 }
            expectReceived(try response.message)
            expectHeaders(response.metadata, all: true)
            expectTrailers(response.trailingMetadata)

        case .serverStreaming:
            var expand = ExpandRequest()
            expand.message = "m"
            expand.count = 2
            let (headers, replies) = try await echo.expand(expand, metadata: requestMetadata, options: callOptions) {
                response in
                var replies: [EchoResponse] = []
                for try await reply in response.messages { replies.append(reply) }
                return (response.metadata, replies)
            }
            expectHeaders(headers, all: false)
            #expect(replies.count == 2)
            for reply in replies { expectReceived(reply) }

        case .clientStreaming:
            let response = try await echo.collect(metadata: requestMetadata, options: callOptions) { writer in
                try await writer.write(asked)
                try await writer.write(request("n"))
            } onResponse: { $0 }
            let reply = try response.message
            expectReceived(reply)
            #expect(reply.message == "m n")
            expectHeaders(response.metadata, all: true)
            expectTrailers(response.trailingMetadata)

        case .bidirectional:
            let (headers, replies, trailers) = try await echo.chat(metadata: requestMetadata, options: callOptions) {
                writer in
                try await writer.write(asked)
                try await writer.write(request("n"))
            } onResponse: { response in
                var replies: [EchoResponse] = []
                var trailers: Metadata = [:]
                for try await part in response.bodyParts {
                    switch part {
                    case .message(let reply): replies.append(reply)
                    case .trailingMetadata(let metadata): trailers = metadata
                    }
                }
                return (response.metadata, replies, trailers)
            }
            expectHeaders(headers, all: false)
            #expect(replies.map(\.message) == ["m", "n"])
            for reply in replies { expectReceived(reply) }
            expectTrailers(trailers)
        }
    }

    // MARK: - deadlines

    /// A call whose deadline (grpc-timeout 300 ms) passes while the backend waits 10 s fails with
    /// DEADLINE_EXCEEDED; without the deadline it would succeed once the delay is over. How long it took is
    /// not checked, as a loaded machine stretches it.
    static func grpcDeadline(_ kind: CallKind) async throws {
        let environment = try InteropEnvironment.required()
        let echo = environment.echo
        var options = CallOptions.defaults
        options.timeout = .milliseconds(300)
        let late = request("late") { $0.delayMs = 10_000 }
        do {
            switch kind {
            case .unary:
                _ = try await echo.echo(late, options: options)
            case .serverStreaming:
                var expand = ExpandRequest()
                expand.message = "late"
                expand.count = 1
                expand.intervalMs = 10_000
                _ = try await echo.expand(expand, options: options) { response in
                    for try await _ in response.messages {}
                }
            case .clientStreaming:
                _ = try await echo.collect(options: options) { writer in try await writer.write(late) }
            case .bidirectional:
                _ = try await echo.chat(options: options) { writer in try await writer.write(late) } onResponse: {
                    response in
                    for try await _ in response.messages {}
                }
            }
            Issue.record("the call succeeded")
        } catch let error as RPCError {
            #expect(error.code == .deadlineExceeded, "\(error)")
        }
    }
}
