import Foundation
import Gateway
import PorticoTestSupport
import Testing

@Suite("Headers and metadata between JSON clients and gRPC backends")
struct HeadersEndToEndTests {
    @Test("Grpc-Metadata-* and Authorization reach the backend; hop-by-hop headers do not", arguments: CurlClient.HTTPVersion.allCases)
    func requestMetadata(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let reply = try await gateway.client(version).send(
                "POST", "/v1/echo", body: #"{"message":"m"}"#,
                headers: [
                    "Grpc-Metadata-Tenant": "blue", "Authorization": "Bearer t0ken", "X-Not-Forwarded": "no",
                    "Grpc-Timeout": "30S",
                ])
            #expect(reply.status == 200, "\(reply)")
            let seen = try reply.json["receivedMetadata"] as? [String: String] ?? [:]
            #expect(seen["tenant"] == "blue")
            #expect(seen["authorization"] == "Bearer t0ken")
            #expect(seen["x-not-forwarded"] == nil)
            #expect(seen["connection"] == nil)
            #expect(seen["x-forwarded-for"] == "127.0.0.1")
            #expect(seen["grpc-timeout"] != nil)
        }
    }

    @Test("reply metadata comes back as Grpc-Metadata-* headers and trailers as Grpc-Trailer-*")
    func replyMetadata() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.client().send(
                "POST", "/v1/echo",
                body: #"{"message":"m","responseHeaders":[{"key":"x-color","value":"red"}],"responseTrailers":[{"key":"x-cost","value":"3"}]}"#)
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.header("grpc-metadata-x-color") == "red")
            #expect(reply.header("grpc-trailer-x-cost") == "3")
            #expect(reply.header("grpc-metadata-content-type") == nil)
        }
    }

    @Test("error replies carry the backend's metadata too")
    func errorMetadata() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.client().send(
                "POST", "/v1/echo", body: #"{"failCode":5,"responseTrailers":[{"key":"x-why","value":"gone"}]}"#)
            #expect(reply.status == 404)
            #expect(reply.header("grpc-trailer-x-why") == "gone")
        }
    }
}
