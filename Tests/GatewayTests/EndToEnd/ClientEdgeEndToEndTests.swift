import Foundation
import Gateway
import PorticoTestSupport
import Testing

/// The client-facing edge against the real listener: limits, `Expect: 100-continue`, refusals a client can
/// read, pipelining done right, and error bodies on both protocols.
@Suite("Client edge: HTTP/1.1 details, limits and readable refusals")
struct ClientEdgeEndToEndTests {
    static let versions: [CurlClient.HTTPVersion] = [.http1, .h2c]

    @Test("1,000 small header fields get 431 as JSON with the default limits", arguments: versions)
    func thousandHeaders(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            var headers: [String: String] = [:]
            for index in 0..<1000 { headers["x-\(index)"] = "v" }
            let reply = try await gateway.client(version).send("GET", "/v1/shelves", headers: headers)
            let message = try ErrorsEndToEndTests.expectError(reply, status: 431, code: 3)
            // Over HTTP/1.1 the 1,000 fields fit maxHeaderBytes (about 9 KB) and the count is what refuses them;
            // HTTP/2 counts 32 bytes more per field, so there the header list's size refuses them first.
            #expect(message.contains(version == .http1 ? "maxHeaderCount" : "maxHeaderBytes"), "\(message)")
            #expect(try await gateway.client(version).send("GET", "/v1/shelves").status == 200)
        }
    }

    @Test("more header fields than maxHeaderCount get 431 on h2c too, within maxHeaderBytes")
    func tooManyHeadersOverH2C() async throws {
        try await withGateway(configure: { $0.limits.maxHeaderCount = 20 }) { gateway in
            var headers: [String: String] = [:]
            for index in 0..<30 { headers["x-field-\(index)"] = "v" }
            let reply = try await gateway.client(.h2c).send("GET", "/v1/shelves", headers: headers)
            let message = try ErrorsEndToEndTests.expectError(reply, status: 431, code: 3)
            #expect(message.contains("maxHeaderCount"), "\(message)")
        }
    }

    @Test("an h2c header list over maxHeaderBytes gets 431 with the JSON error body")
    func oversizedHeaderListOverH2C() async throws {
        try await withGateway(configure: { $0.limits.maxHeaderBytes = 2048 }) { gateway in
            let reply = try await gateway.client(.h2c).send(
                "GET", "/v1/shelves", headers: ["x-big": String(repeating: "a", count: 4096)])
            let message = try ErrorsEndToEndTests.expectError(reply, status: 431, code: 3)
            #expect(message.contains("maxHeaderBytes"), "\(message)")
        }
    }

    @Test("native gRPC over HTTP/1.1 and gRPC-Web over h2c get 415 saying what to send instead")
    func unsupportedGRPC() async throws {
        try await withGateway { gateway in
            let overHTTP1 = try await gateway.client(.http1).send(
                "POST", "/portico.demo.echo.v1.EchoService/Echo", body: "\u{0}\u{0}\u{0}\u{0}\u{0}",
                headers: ["content-type": "application/grpc"])
            let http1Message = try ErrorsEndToEndTests.expectError(overHTTP1, status: 415, code: 3)
            #expect(http1Message.contains("needs HTTP/2"), "\(http1Message)")
            let grpcWeb = try await gateway.client(.h2c).send(
                "POST", "/portico.demo.echo.v1.EchoService/Echo", body: "\u{0}\u{0}\u{0}\u{0}\u{0}",
                headers: ["content-type": "application/grpc-web+proto"])
            let webMessage = try ErrorsEndToEndTests.expectError(grpcWeb, status: 415, code: 3)
            #expect(webMessage.contains("application/grpc-web+proto"), "\(webMessage)")
        }
    }

    @Test("malformed percent escapes in the query and a null body are 400", arguments: versions)
    func strictQueryAndNullBody(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let client = gateway.client(version)
            for query in ["genre=%zz", "author=%", "author=a%2"] {
                let reply = try await client.send("GET", "/v1/shelves/fiction/books?\(query)")
                let message = try ErrorsEndToEndTests.expectError(reply, status: 400, code: 3)
                #expect(message.contains("percent escape"), "\(query): \(message)")
            }
            let null = try await client.send("POST", "/v1/echo", body: "null")
            let message = try ErrorsEndToEndTests.expectError(null, status: 400, code: 3)
            #expect(message.contains("null"), "\(message)")
            #expect(try await client.send("GET", "/v1/shelves/fiction/books?author=Neil%20Gaiman").status == 200)
        }
    }

    @Test("Expect: 100-continue gets 100 before the body, or the final refusal at once without it")
    func expectContinue() async throws {
        try await withGateway(configure: { $0.limits.maxRequestBytes = 4 << 20 }) { gateway in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "portico-\(UUID().uuidString).json")
            try Data(#"{"message":"\#(String(repeating: "e", count: 2 << 20))"}"#.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            func upload(_ path: String, extra: [String] = []) async throws -> String {
                // curl sends `Expect: 100-continue` itself for bodies over 1 MiB and waits up to 1 s for the 100.
                let output = try await HelperProcess.run(
                    "/usr/bin/curl",
                    [
                        "-sS", "-i", "--http1.1", "-X", "POST", "-H", "content-type: application/json", "--data-binary",
                        "@\(file.path)", "http://\(gateway.address)\(path)",
                    ] + extra)
                return output.standardOutput
            }
            let accepted = try await upload("/v1/echo")
            #expect(accepted.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"), "\(accepted.prefix(300))")
            let noRoute = try await upload("/v2/nowhere")
            #expect(noRoute.hasPrefix("HTTP/1.1 404"), "\(noRoute.prefix(300))")
            #expect(noRoute.contains(#""code":5"#))
            let tooLarge = try await upload("/v1/echo", extra: ["-H", "content-length: 99999999"])
            #expect(tooLarge.hasPrefix("HTTP/1.1 413"), "\(tooLarge.prefix(300))")
        }
    }

    /// A blocking client, as most are: it sends the whole request before it reads anything.
    static let sendAllThenRead = """
        import socket, sys
        port, size = int(sys.argv[1]), int(sys.argv[2])
        head = b"POST /v1/echo HTTP/1.1\\r\\nhost: x\\r\\ncontent-type: application/json\\r\\n"
        head += b"content-length: %d\\r\\n\\r\\n" % size
        connection = socket.create_connection(("127.0.0.1", port))
        try:
            connection.sendall(head + b"a" * size)
        except OSError as error:
            print("send failed:", error)
            sys.exit(0)
        reply = b""
        try:
            while chunk := connection.recv(65536):
                reply += chunk
        except OSError as error:
            print("receive failed:", error)
        sys.stdout.write(reply.decode(errors="replace"))
        """

    @Test("a body over maxRequestBytes sent whole by a blocking client gets a 413 it can read, not a reset")
    func lingeringClose() async throws {
        try await withGateway(configure: { $0.limits.maxRequestBytes = 1 << 20 }) { gateway in
            // The head declares 8 MiB; the client sends it all before it reads the answer.
            let output = try await HelperProcess.run(
                "/usr/bin/env", ["python3", "-c", Self.sendAllThenRead, String(gateway.address.port), String(8 << 20)])
            let reply = output.standardOutput
            #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(300)) \(output.standardError)")
            #expect(reply.contains(#""code":8"#), "\(reply.prefix(300))")
            #expect(try await gateway.client().send("GET", "/v1/shelves").status == 200)
        }
    }

    @Test("bytes after a complete request that are not a request: the request is answered, then 400, then close")
    func trailingGarbage() async throws {
        try await withGateway { gateway in
            let request = "GET /v1/shelves HTTP/1.1\r\nhost: x\r\n\r\nNOT A REQUEST\r\n\r\n"
            let reply = try await RawHTTPClient.exchange(
                Array(request.utf8), host: "127.0.0.1", port: gateway.address.port)
            #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply.prefix(300))")
            let second = try #require(reply.range(of: "HTTP/1.1 400"), "\(reply)")
            #expect(reply[second.lowerBound...].contains(#""code":3"#))
        }
    }
}

/// Slow and stalled clients against the request timeouts, while the listener keeps serving everyone else.
@Suite("Client edge: request header and body timeouts")
struct RequestTimeoutEndToEndTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("helpers/slow_client.py").path

    /// Runs a slow client against the gateway while ordinary requests go through; returns what it printed and
    /// how many of the ordinary requests succeeded.
    static func hold(_ mode: String, gateway: GatewayHarness) async throws -> (output: String, served: Int) {
        let port = gateway.address.port
        async let slow = HelperProcess.run("/usr/bin/env", ["python3", script, mode, String(port)], timeout: 30)
        var served = 0
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(200))
            if try await gateway.client().send("GET", "/v1/shelves").status == 200 { served += 1 }
        }
        let output = try await slow
        return (output.standardOutput + output.standardError, served)
    }

    static func configure(_ config: inout GatewayConfig) {
        config.limits.requestHeaderTimeout = .seconds(1)
        config.limits.requestBodyTimeout = .seconds(1)
    }

    @Test("headers trickled a byte at a time get 408 after requestHeaderTimeout, and the connection closes")
    func trickledHeaders() async throws {
        try await withGateway(configure: Self.configure) { gateway in
            let (output, served) = try await Self.hold("trickle-headers", gateway: gateway)
            #expect(output.hasPrefix("HTTP/1.1 408"), "\(output)")
            #expect(output.contains("requestHeaderTimeout"), "\(output)")
            #expect(output.hasSuffix("closed\n"), "\(output)")
            #expect(served == 5)
        }
    }

    @Test("an h2c header block left open past requestHeaderTimeout closes its connection with GOAWAY ENHANCE_YOUR_CALM")
    func openHeaderBlock() async throws {
        try await withGateway(configure: Self.configure) { gateway in
            let (output, served) = try await Self.hold("trickle-headers-h2c", gateway: gateway)
            #expect(output.contains("goaway 11"), "\(output)")
            #expect(output.hasSuffix("closed\n"), "\(output)")
            #expect(served == 5)
        }
    }

    @Test("a body that stops short of its content-length gets 408 after requestBodyTimeout", arguments: ["h1", "h2c"])
    func stalledBody(protocolName: String) async throws {
        try await withGateway(configure: Self.configure) { gateway in
            let (output, served) = try await Self.hold("stall-body-\(protocolName)", gateway: gateway)
            #expect(output.contains(protocolName == "h1" ? "HTTP/1.1 408" : "status 408"), "\(output)")
            #expect(output.contains(#""code":4"#), "\(output)")
            #expect(output.contains("requestBodyTimeout"), "\(output)")
            #expect(served == 5)
        }
    }

    @Test("a keep-alive connection idle for longer than requestHeaderTimeout is not timed out")
    func idleKeepAliveIsNotSlow() async throws {
        try await withGateway(configure: Self.configure) { gateway in
            let (output, _) = try await Self.hold("idle-keepalive", gateway: gateway)
            #expect(output.components(separatedBy: "HTTP/1.1 404").count == 4, "\(output)")
            #expect(!output.contains("408"), "\(output)")
        }
    }
}
