import Foundation
import PorticoTestSupport
import Testing

@testable import Discovery

/// The curl wrapper alone, against the test API server: statuses, streamed bodies, TLS verification and
/// cancellation.
@Suite("The curl loop")
struct CurlMultiLoopTests {
    static func request(_ server: KubeAPIServer, _ path: String, ca: String = "ca.crt", token: String = "initial-token")
        throws -> HTTPRequest
    {
        HTTPRequest(
            url: "https://127.0.0.1:\(server.port)\(path)", headers: ["Authorization: Bearer \(token)"],
            tls: TLSIdentity(caPEM: Array(try Data(contentsOf: URL(fileURLWithPath: "\(server.directory)/\(ca)")))),
            connectTimeout: .seconds(2), timeout: .seconds(10))
    }

    static func collect(_ stream: AsyncThrowingStream<HTTPResponsePart, any Error>) async throws -> (Int, [UInt8]) {
        var status = 0
        var body: [UInt8] = []
        for try await part in stream {
            switch part {
            case .head(let code): status = code
            case .body(let bytes): body += bytes
            }
        }
        return (status, body)
    }

    @Test("a GET yields its status first, then the body")
    func get() async throws {
        let server = try await KubeAPIServer()
        let loop = try CurlMultiLoop()
        let (status, body) = try await Self.collect(loop.perform(try Self.request(server, "/version")))
        #expect(status == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("\"gitVersion\""))
        let (denied, _) = try await Self.collect(loop.perform(try Self.request(server, "/version", token: "nope")))
        #expect(denied == 401)
    }

    @Test("a watch's status arrives with its headers, before any event", arguments: [false, true])
    func statusBeforeBody(http2: Bool) async throws {
        let server = try await KubeAPIServer(http2: http2)
        let loop = try CurlMultiLoop()
        let request = try Self.request(
            server, "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?watch=1&resourceVersion=0")
        var parts = loop.perform(request).makeAsyncIterator()
        #expect(try await parts.next() == .head(status: 200))
    }

    @Test("a transfer silent for longer than its idle bound fails with curl's timeout", arguments: [false, true])
    func idleBound(http2: Bool) async throws {
        let server = try await KubeAPIServer(http2: http2)
        let loop = try CurlMultiLoop()
        var request = try Self.request(
            server, "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?watch=1&resourceVersion=0")
        request.idleTimeout = .seconds(1)
        let started = ContinuousClock.now
        do {
            _ = try await Self.collect(loop.perform(request))
            Issue.record("the silent transfer ended without an error")
        } catch let error as CurlError {
            #expect(error.code == 28)
        }
        // The server never ends the watch: only the idle bound does (with room for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test("a server certificate outside the trusted CA fails the transfer with curl's verification error")
    func untrusted() async throws {
        let server = try await KubeAPIServer()
        let loop = try CurlMultiLoop()
        do {
            _ = try await Self.collect(loop.perform(try Self.request(server, "/version", ca: "other-ca.crt")))
            Issue.record("the transfer succeeded")
        } catch let error as CurlError {
            #expect(error.code == 60)
        }
    }

    @Test("a chunked watch stream arrives piece by piece, and cancelling the reader ends the transfer")
    func streamingAndCancel() async throws {
        let server = try await KubeAPIServer()
        let loop = try CurlMultiLoop()
        let request = try Self.request(
            server, "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?watch=1&resourceVersion=0")
        // The stream lives only inside the reader: when the reader returns, the stream goes and so does the
        // transfer.
        let reader = Task {
            let stream = loop.perform(request)
            var framer = JSONLineFramer()
            for try await part in stream {
                guard case .body(let bytes) = part else { continue }
                framer.append(bytes)
                if let line = framer.next() { return String(decoding: line, as: UTF8.self) }
            }
            return ""
        }
        #expect(try await eventually { try await server.openWatches() == ["endpointslices"] })
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        #expect(try await reader.value.contains("\"type\":\"ADDED\""))
        #expect(try await eventually { try await server.openWatches().isEmpty })
    }
}
