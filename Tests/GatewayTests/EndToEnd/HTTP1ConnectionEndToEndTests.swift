import Foundation
import Gateway
import Testing

@Suite("HTTP/1.1 connections: keep-alive, pipelining and protocol detection")
struct HTTP1ConnectionEndToEndTests {
    @Test("pipelined requests on one connection are answered in order")
    func pipelining() async throws {
        try await withGateway { gateway in
            let request = "GET /v1/echo/one HTTP/1.1\r\nhost: x\r\n\r\n"
                + "GET /v1/echo/two HTTP/1.1\r\nhost: x\r\n\r\n"
                + "GET /v1/echo/three HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
            let reply = try await RawHTTPClient.exchange(Array(request.utf8), host: "127.0.0.1", port: gateway.address.port)
            let statuses = reply.components(separatedBy: "HTTP/1.1 200 OK").count - 1
            #expect(statuses == 3, "\(reply)")
            let one = try #require(reply.range(of: #""message":"one""#))
            let two = try #require(reply.range(of: #""message":"two""#))
            let three = try #require(reply.range(of: #""message":"three""#))
            #expect(one.lowerBound < two.lowerBound && two.lowerBound < three.lowerBound)
            #expect(reply.contains("connection: close"))
        }
    }

    @Test("a request whose first bytes resemble the HTTP/2 preface but are not is served as HTTP/1.1")
    func prefaceLookalike() async throws {
        try await withGateway { gateway in
            let reply = try await RawHTTPClient.exchange(
                Array("PRI /v1/echo/x HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".utf8), host: "127.0.0.1",
                port: gateway.address.port)
            // llhttp refuses the PRI method: what matters is that an HTTP/1.1 parser, not nghttp2, answered.
            #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply)")
            #expect(reply.contains(#""code":3"#))
        }
    }
}
