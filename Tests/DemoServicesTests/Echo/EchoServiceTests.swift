import DemoServices
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Testing

@Suite("EchoService over loopback")
struct EchoServiceTests {
    typealias Echo = Portico_Demo_Echo_V1_EchoService.Client<HTTP2ClientTransport.Posix>

    static func entry(_ key: String, _ value: String) -> Portico_Demo_Echo_V1_MetadataEntry {
        var entry = Portico_Demo_Echo_V1_MetadataEntry()
        entry.key = key
        entry.value = value
        return entry
    }

    @Test("Echo returns the message, the instance's name and the request metadata it saw")
    func echo() async throws {
        try await withBackend(.echo, name: "echo-1") { backend in
            try await withClient(to: backend) { client in
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.message = "hello"
                var options = CallOptions.defaults
                // A deadline so that the call carries grpc-timeout; long, because the parallel suite can starve
                // a first call on two cores for over 30 s (seen twice in CI runs).
                options.timeout = .seconds(300)
                var metadata = Metadata()
                metadata.addString("abc", forKey: "x-request-id")
                metadata.addString("one", forKey: "x-repeated")
                metadata.addString("two", forKey: "x-repeated")
                metadata.addBinary([1, 2, 3], forKey: "trace-bin")
                let response = try await Echo(wrapping: client).echo(request, metadata: metadata, options: options)
                #expect(response.message == "hello" && response.servedBy == "echo-1" && response.sequence == 0)
                let seen = response.receivedMetadata
                #expect(seen["x-request-id"] == "abc")
                #expect(seen["x-repeated"] == "one, two")
                #expect(seen["trace-bin"] == Data([1, 2, 3]).base64EncodedString())
                #expect(seen[":path"] == "/portico.demo.echo.v1.EchoService/Echo")
                #expect(seen["grpc-timeout"] != nil)
            }
        }
    }

    @Test("Without a deadline the request carries no grpc-timeout")
    func noDeadline() async throws {
        try await withBackend(.echo) { backend in
            try await withClient(to: backend) { client in
                let response = try await Echo(wrapping: client).echo(.init())
                #expect(response.receivedMetadata["grpc-timeout"] == nil)
                #expect(response.receivedMetadata["content-type"]?.hasPrefix("application/grpc") == true)
            }
        }
    }

    @Test("Requested headers and trailers come back, text and binary, with served-by in the headers")
    func responseMetadata() async throws {
        try await withBackend(.echo, name: "echo-2") { backend in
            try await withClient(to: backend) { client in
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.responseHeaders = [Self.entry("x-demo", "yes")]
                var binary = Self.entry("x-blob-bin", "")
                binary.binaryValue = Data([0, 255, 7])
                request.responseTrailers = [Self.entry("x-trailer", "done"), binary]
                let (headers, trailers) = try await Echo(wrapping: client).echo(request) { response in
                    (response.metadata, response.trailingMetadata)
                }
                #expect(Array(headers[stringValues: "x-demo"]) == ["yes"])
                #expect(Array(headers[stringValues: "served-by"]) == ["echo-2"])
                #expect(Array(trailers[stringValues: "x-trailer"]) == ["done"])
                #expect(Array(trailers[binaryValues: "x-blob-bin"]) == [[0, 255, 7]])
            }
        }
    }

    @Test(
        "A reserved or malformed response metadata key is INVALID_ARGUMENT",
        arguments: [
            "grpc-status", "content-type", "X-Upper", "", "bad key",
        ])
    func reservedKey(key: String) async throws {
        try await withBackend(.echo) { backend in
            try await withClient(to: backend) { client in
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.responseHeaders = [Self.entry(key, "v")]
                let code = try await rpcErrorCode { _ = try await Echo(wrapping: client).echo(request) }
                #expect(code == .invalidArgument)
            }
        }
    }

    @Test(
        "fail_code fails the call with that status, 'requested failure' and the requested trailers",
        arguments: [
            RPCError.Code.notFound, .unavailable, .permissionDenied, .internalError,
        ])
    func failCode(code: RPCError.Code) async throws {
        try await withBackend(.echo, name: "echo-3") { backend in
            try await withClient(to: backend) { client in
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.failCode = Int32(code.rawValue)
                request.responseTrailers = [Self.entry("x-why", "asked")]
                let accepted = try await Echo(wrapping: client).echo(request) { $0.accepted }
                // Without response headers the failure is trailers-only: the call is rejected outright.
                guard case .failure(let error) = accepted else {
                    Issue.record("expected a trailers-only failure, got \(accepted)")
                    return
                }
                #expect(error.code == code && error.message == "requested failure")
                #expect(Array(error.metadata[stringValues: "x-why"]) == ["asked"])
                #expect(Array(error.metadata[stringValues: "served-by"]) == ["echo-3"])
            }
        }
    }

    @Test("With response headers, a requested failure comes after the headers, not trailers-only")
    func failAfterHeaders() async throws {
        try await withBackend(.echo) { backend in
            try await withClient(to: backend) { client in
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.failCode = Int32(RPCError.Code.aborted.rawValue)
                request.responseHeaders = [Self.entry("x-demo", "sent")]
                let accepted = try await Echo(wrapping: client).echo(request) { $0.accepted }
                let contents = try accepted.get()
                #expect(Array(contents.metadata[stringValues: "x-demo"]) == ["sent"])
                #expect(throws: RPCError.self) { try contents.message.get() }
                if case .failure(let error) = contents.message {
                    #expect(error.code == .aborted && error.message == "requested failure")
                }
            }
        }
    }

    @Test("A fail_code that is not a gRPC status is INVALID_ARGUMENT", arguments: [Int32(17), -1, 1000])
    func badFailCode(failCode: Int32) async throws {
        try await withBackend(.echo) { backend in
            try await withClient(to: backend) { client in
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.failCode = failCode
                let code = try await rpcErrorCode { _ = try await Echo(wrapping: client).echo(request) }
                #expect(code == .invalidArgument)
            }
        }
    }

    @Test(
        "delay_ms longer than the deadline ends in DEADLINE_EXCEEDED from the server; a short one still answers",
        .timeLimit(.minutes(1))
    )
    func delay() async throws {
        try await withBackend(.echo) { backend in
            try await withClient(to: backend) { client in
                let echo = Echo(wrapping: client)
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.message = "slow"
                request.delayMs = 600_000
                var options = CallOptions.defaults
                options.timeout = .milliseconds(200)
                let code = try await rpcErrorCode { _ = try await echo.echo(request, options: options) }
                #expect(code == .deadlineExceeded)

                // Only the grpc-timeout header, as a proxy forwards it: the status comes from the server.
                let serverCode = try await rpcErrorCode {
                    _ = try await echo.echo(request, metadata: ["grpc-timeout": "200m"])
                }
                #expect(serverCode == .deadlineExceeded)

                request.delayMs = 20
                #expect(try await echo.echo(request).message == "slow")
            }
        }
    }

    @Test("Expand streams count replies in order, then ends OK or with fail_code")
    func expand() async throws {
        try await withBackend(.echo, name: "echo-4") { backend in
            try await withClient(to: backend) { client in
                let echo = Echo(wrapping: client)
                var request = Portico_Demo_Echo_V1_ExpandRequest()
                request.message = "tick"
                request.count = 4
                let replies = try await echo.expand(request) { response in
                    try await response.messages.reduce(into: []) { $0.append($1) }
                }
                #expect(replies.map(\.sequence) == [0, 1, 2, 3])
                #expect(replies.allSatisfy { $0.message == "tick" && $0.servedBy == "echo-4" })

                request.count = 0
                request.failCode = Int32(RPCError.Code.resourceExhausted.rawValue)
                let (received, code) = try await echo.expand(request) { response in
                    var received = 0
                    do {
                        for try await _ in response.messages { received += 1 }
                        return (received, RPCError.Code?.none)
                    } catch let error as RPCError {
                        return (received, error.code)
                    }
                }
                #expect(received == 3 && code == .resourceExhausted)
            }
        }
    }

    @Test("Collect joins every request's message and counts them")
    func collect() async throws {
        try await withBackend(.echo) { backend in
            try await withClient(to: backend) { client in
                let response = try await Echo(wrapping: client).collect { writer in
                    for word in ["one", "two", "three"] {
                        var request = Portico_Demo_Echo_V1_EchoRequest()
                        request.message = word
                        try await writer.write(request)
                    }
                }
                #expect(response.message == "one two three" && response.sequence == 3)
            }
        }
    }
}
