import Foundation
import Gateway
import PorticoTestSupport
import Testing

@Suite("Server-streaming methods over HTTP/JSON, framed as grpc-gateway frames them")
struct StreamingEndToEndTests {
    /// The JSON objects of a newline-delimited body.
    static func lines(_ body: String) throws -> [[String: Any]] {
        try body.split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test("each message is one {\"result\": …} line, in order", arguments: CurlClient.HTTPVersion.allCases)
    func messages(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let reply = try await gateway.client(version).send("GET", "/v1/echo:expand?message=tick&count=4")
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.header("content-type") == "application/json")
            if version == .http1 { #expect(reply.header("transfer-encoding") == "chunked") }
            let results = try Self.lines(reply.body).map { try #require($0["result"] as? [String: Any]) }
            #expect(results.map { $0["message"] as? String } == ["tick", "tick", "tick", "tick"])
            #expect(results.map { $0["sequence"] as? Int ?? 0 } == [0, 1, 2, 3])
        }
    }

    @Test("a failure after some messages ends the stream with an {\"error\": status} line")
    func failureMidStream() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.client().send("GET", "/v1/echo:expand?message=x&count=2&failCode=9")
            #expect(reply.status == 200)
            let lines = try Self.lines(reply.body)
            #expect(lines.count == 3)
            let error = try #require(lines.last?["error"] as? [String: Any])
            #expect(error["code"] as? Int == 9)
            let details = error["details"] as? [[String: Any]] ?? []
            #expect(details.first?["@type"] as? String == "type.googleapis.com/google.rpc.ErrorInfo", "\(error)")
            #expect(details.first?["domain"] as? String == "portico.test")
            #expect(error["message"] as? String == "requested failure")
            // The connection stays usable after a streamed reply.
            #expect(try await gateway.client().send("GET", "/v1/echo/again").status == 200)
        }
    }

    @Test("a client-streaming method is refused over JSON with 501")
    func clientStreaming() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.client().send(
                "POST", "/portico.demo.echo.v1.EchoService/Collect", body: #"{"message":"x"}"#)
            #expect(reply.status == 501)
            #expect(try reply.json["code"] as? Int == 12)
        }
    }
}
