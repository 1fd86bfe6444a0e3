import Foundation
import NIOCore
import NIOPosix
import Gateway
import PorticoTestSupport
import Testing

@Suite("Errors: every bad request gets a clear JSON error and the gateway keeps serving")
struct ErrorsEndToEndTests {
    static let versions: [CurlClient.HTTPVersion] = [.http1, .h2c]

    /// Checks the reply is a JSON error with this HTTP status and gRPC code, and `details` details (the gateway's own
    /// errors have none), and returns its message.
    @discardableResult
    static func expectError(
        _ reply: HTTPReply, status: Int, code: Int, details: Int = 0, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        #expect(reply.status == status, "\(reply)", sourceLocation: sourceLocation)
        #expect(reply.header("content-type") == "application/json", sourceLocation: sourceLocation)
        let body = try reply.json
        #expect(body["code"] as? Int == code, "\(reply)", sourceLocation: sourceLocation)
        #expect((body["details"] as? [Any])?.count == details, "\(reply)", sourceLocation: sourceLocation)
        return body["message"] as? String ?? ""
    }

    @Test("unknown path is 404, a known path under another method is 405 with Allow", arguments: versions)
    func routingErrors(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let client = gateway.client(version)
            try Self.expectError(try await client.send("GET", "/v2/nothing"), status: 404, code: 5)
            let notAllowed = try await client.send("POST", "/v1/shelves/fiction/books/dune", body: "{}")
            try Self.expectError(notAllowed, status: 405, code: 12)
            #expect(notAllowed.header("allow") == "DELETE, GET, PATCH, PUT")
            try Self.expectError(try await client.send("GET", "/v1/echo/%ZZ"), status: 400, code: 3)
        }
    }

    @Test("invalid JSON, wrong types, out-of-range numbers and unknown enum names are 400 naming the field", arguments: versions)
    func badJSON(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let client = gateway.client(version)
            try Self.expectError(try await client.send("POST", "/v1/echo", body: #"{"message": "#), status: 400, code: 3)
            let wrongType = try Self.expectError(try await client.send("POST", "/v1/echo", body: #"{"delayMs": "soon"}"#), status: 400, code: 3)
            #expect(wrongType.contains("delay"), "\(wrongType)")
            let range = try Self.expectError(try await client.send("POST", "/v1/echo", body: #"{"delayMs": 99999999999}"#), status: 400, code: 3)
            #expect(range.contains("delay"), "\(range)")
            let badEnum = try Self.expectError(
                try await client.send("GET", "/v1/shelves/fiction/books?genre=GENRE_OPERA"), status: 400, code: 3)
            #expect(badEnum.contains("genre"), "\(badEnum)")
            // The gateway still serves after all of these.
            #expect(try await client.send("POST", "/v1/echo", body: #"{"message":"ok"}"#).status == 200)
        }
    }

    @Test("an unknown JSON field is 400 naming it, unless its backend discards unknown fields", arguments: versions)
    func unknownField(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let reply = try await gateway.client(version).send("POST", "/v1/echo", body: #"{"mesage":"typo"}"#)
            let message = try Self.expectError(reply, status: 400, code: 3)
            #expect(message.contains("mesage"), "\(message)")
        }
        try await withGateway(configure: { config in
            config.json.discardUnknownFields = true
        }) { gateway in
            let reply = try await gateway.client(version).send("POST", "/v1/echo", body: #"{"mesage":"typo","message":"ok"}"#)
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.body.contains(#""message":"ok""#))
        }
    }

    @Test("gRPC status codes map to HTTP statuses with the backend's message", arguments: [
        (5, 404), (3, 400), (7, 403), (16, 401), (8, 429), (9, 400), (12, 501), (13, 500), (14, 503), (10, 409),
    ])
    func statusMapping(code: Int, status: Int) async throws {
        try await withGateway { gateway in
            let reply = try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"x","failCode":\#(code)}"#)
            // The demo backend names the failure in an ErrorInfo (grpc-status-details-bin).
            let message = try Self.expectError(reply, status: status, code: code, details: 1)
            #expect(message == "requested failure")
        }
    }

    @Test("a body over maxRequestBytes is 413", arguments: versions)
    func bodyTooLarge(version: CurlClient.HTTPVersion) async throws {
        try await withGateway(configure: { $0.limits.maxRequestBytes = 1024 }) { gateway in
            let big = #"{"message":""# + String(repeating: "x", count: 4096) + #""}"#
            try Self.expectError(try await gateway.client(version).send("POST", "/v1/echo", body: big), status: 413, code: 8)
            #expect(try await gateway.client(version).send("POST", "/v1/echo", body: #"{"message":"small"}"#).status == 200)
        }
    }

    @Test("a deadline shorter than the backend's work is 504 with code 4, from Grpc-Timeout or the backend's timeout")
    func deadlines() async throws {
        try await withGateway(configure: { $0.update(backend: "echo") { $0.timeout = .seconds(1) } }) { gateway in
            let client = gateway.client()
            let started = ContinuousClock.now
            try Self.expectError(
                try await client.send("POST", "/v1/echo", body: #"{"message":"slow","delayMs":10000}"#, headers: ["Grpc-Timeout": "100m"]),
                status: 504, code: 4)
            try Self.expectError(try await client.send("POST", "/v1/echo", body: #"{"message":"slow","delayMs":10000}"#), status: 504, code: 4)
            // Waiting for the backend would take 20 s; the bound leaves a loaded machine room.
            #expect(ContinuousClock.now - started < .seconds(12), "the gateway must not wait for the backend")
            try Self.expectError(try await client.send("POST", "/v1/echo", body: "{}", headers: ["Grpc-Timeout": "soon"]), status: 400, code: 3)
            // The gateway keeps serving; the client's own generous deadline keeps a loaded machine from failing it.
            let fast = try await client.send(
                "POST", "/v1/echo", body: #"{"message":"fast","delayMs":10}"#, headers: ["Grpc-Timeout": "30S"])
            #expect(fast.status == 200)
        }
    }

    @Test("no reachable endpoint is 503 with code 14, answered at once", arguments: versions)
    func noEndpoint(version: CurlClient.HTTPVersion) async throws {
        try await withGateway(configure: { config in
            config.update(backend: "echo") { $0.endpoints = [.init(host: "127.0.0.1", port: 1)] }
        }) { gateway in
            let message = try Self.expectError(
                try await gateway.client(version).send("POST", "/v1/echo", body: #"{"message":"x"}"#), status: 503, code: 14)
            #expect(message.contains("echo"), "\(message)")
        }
    }

    @Test("an endpoint that accepts TCP but never speaks HTTP/2 costs a request no more than connectTimeout")
    func silentEndpoint() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(silent.localAddress?.port)
        defer { silent.close(promise: nil) }
        try await withGateway(configure: { config in
            config.update(backend: "echo") { backend in
                backend.endpoints = [.init(host: "127.0.0.1", port: port)]
                backend.connectTimeout = .milliseconds(300)
            }
        }) { gateway in
            let started = ContinuousClock.now
            try Self.expectError(
                try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"x"}"#), status: 503, code: 14)
            // The 300 ms connect timeout, not the call's 30 s (with room for a loaded machine).
            #expect(ContinuousClock.now - started < .seconds(10))
            // Other backends are unaffected.
            #expect(try await gateway.client().send("GET", "/v1/shelves").status == 200)
        }
    }

    @Test("malformed HTTP/1.1 and oversized headers get 400 and 431 and a closed connection")
    func malformedHTTP1() async throws {
        try await withGateway(configure: { $0.limits.maxHeaderBytes = 2048 }) { gateway in
            let garbage = try await RawHTTPClient.exchange(Array("GARBAGE\r\n\r\n".utf8), host: "127.0.0.1", port: gateway.address.port)
            #expect(garbage.hasPrefix("HTTP/1.1 400"), "\(garbage)")
            #expect(garbage.contains(#""code":3"#))
            let huge = "GET /v1/shelves HTTP/1.1\r\nhost: x\r\nx-big: \(String(repeating: "a", count: 8192))\r\n\r\n"
            let tooLarge = try await RawHTTPClient.exchange(Array(huge.utf8), host: "127.0.0.1", port: gateway.address.port)
            #expect(tooLarge.hasPrefix("HTTP/1.1 431"), "\(tooLarge)")
            #expect(try await gateway.client().send("GET", "/v1/shelves").status == 200)
        }
    }
}
