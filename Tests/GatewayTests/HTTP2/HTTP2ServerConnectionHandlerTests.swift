import Foundation
import Gateway
import NIOCore
import NIOPosix
import PorticoTestSupport
import Testing

/// The server face over real sockets, queried by nghttp2's and curl's command-line clients.
@Suite("HTTP/2 server connection handler over sockets")
struct HTTP2ServerConnectionHandlerTests {
    @Test("nghttp gets the echoed path of a GET")
    func nghttpGet() async throws {
        let server = try await HTTP2EchoServer.start(group: MultiThreadedEventLoopGroup.singleton)
        let output = try await HelperProcess.run("/usr/bin/nghttp", ["http://127.0.0.1:\(server.port)/hello/nghttp"])
        try await server.stop()
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput == "/hello/nghttp")
    }

    @Test("nghttp uploads a body larger than the stream window and gets it back")
    func nghttpUpload() async throws {
        let server = try await HTTP2EchoServer.start(group: MultiThreadedEventLoopGroup.singleton)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("portico-upload-\(UUID()).bin")
        let body = String(repeating: "0123456789abcdef", count: 12_000)
        try body.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await HelperProcess.run(
            "/usr/bin/nghttp",
            ["-d", file.path, "http://127.0.0.1:\(server.port)/upload"]
        )
        try await server.stop()
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput == body)
    }

    @Test("curl with prior knowledge posts a body and gets it echoed")
    func curlPost() async throws {
        let server = try await HTTP2EchoServer.start(group: MultiThreadedEventLoopGroup.singleton)
        let output = try await HelperProcess.run(
            "/usr/bin/curl",
            [
                "-s", "--http2-prior-knowledge", "--max-time", "10", "--data-binary", "portico",
                "http://127.0.0.1:\(server.port)/echo",
            ]
        )
        try await server.stop()
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput == "portico")
    }

    @Test("h2load's requests over several connections and streams all succeed")
    func h2load() async throws {
        let server = try await HTTP2EchoServer.start(group: MultiThreadedEventLoopGroup.singleton)
        let output = try await HelperProcess.run(
            "/usr/bin/h2load",
            ["-n", "400", "-c", "4", "-m", "16", "http://127.0.0.1:\(server.port)/load"]
        )
        try await server.stop()
        #expect(output.status == 0, "\(output.standardError)")
        #expect(
            output.standardOutput.contains("400 total, 400 started, 400 done, 400 succeeded"),
            "\(output.standardOutput)")
        #expect(server.statistics.closed == 400)
        #expect(server.statistics.failed == 0)
    }
}
