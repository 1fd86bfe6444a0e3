import Foundation
import Gateway
import PorticoTestSupport
import Testing

/// `google.api.HttpBody` methods in front of Python grpcio (Tests/helpers/grpc_echo_server.py echoes the raw
/// request message, so an HttpBody comes back as it went up), with the real curl.
@Suite("google.api.HttpBody end to end")
struct HTTPBodyEndToEndTests {
    /// Sends `body` with `contentType` to `path` with curl and returns the status, the headers and the body.
    static func exchange(
        _ gateway: GatewayHarness, _ version: CurlClient.HTTPVersion, path: String, body: Data, contentType: String
    ) async throws -> (status: Int, contentType: String?, body: Data) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-httpbody-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in")
        let output = folder.appendingPathComponent("out")
        let head = folder.appendingPathComponent("head")
        try body.write(to: input)
        let arguments = [
            "-sS", "--max-time", "20", version == .h2c ? "--http2-prior-knowledge" : "--http1.1", "-H",
            "Content-Type: \(contentType)", "-H", "Expect:", "--data-binary", "@\(input.path)", "-D", head.path, "-o",
            output.path, "http://\(gateway.address.host):\(gateway.address.port)\(path)",
        ]
        let run = try await HelperProcess.run("/usr/bin/curl", arguments, timeout: 30)
        try #require(run.status == 0, "curl failed: \(run.standardError)")
        let lines: [String] = try String(contentsOf: head, encoding: .utf8).components(separatedBy: "\r\n")
        let status = lines.first.flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
        let type = lines.first { $0.lowercased().hasPrefix("content-type:") }.map { line in
            String(line.dropFirst("content-type:".count)).trimmingCharacters(in: .whitespaces)
        }
        return (status ?? 0, type, (try? Data(contentsOf: output)) ?? Data())
    }

    @Test(
        "raw bytes of any type and size go up and come back as they are, with their content type",
        arguments: CurlClient.HTTPVersion.allCases, [0, 1, 70_000, 1 << 20])
    func rawEcho(version: CurlClient.HTTPVersion, size: Int) async throws {
        let (server, port) = try await HTTP2ClientConnectionTests.startPythonServer()
        defer { server.stop() }
        let descriptors = try #require(
            Bundle.module.url(forResource: "raw_echo.pb", withExtension: nil, subdirectory: "Resources"))
        try await withGateway(
            echo: 0, library: 0,
            configure: { config in
                config.backends.append(
                    .init(
                        name: "raw", descriptorFiles: [descriptors.path],
                        endpoints: [SocketAddressText(host: "127.0.0.1", port: port)]))
            }
        ) { gateway in
            let payload = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) })
            let unary = try await Self.exchange(
                gateway, version, path: "/v1/raw", body: payload, contentType: "image/x-test")
            #expect(unary.status == 200)
            #expect(unary.contentType == "image/x-test")
            #expect(unary.body == payload, "\(unary.body.count) bytes came back for \(payload.count)")

            // The server streams the request back three times: the chunks are the raw bytes, one after another.
            let streamed = try await Self.exchange(
                gateway, version, path: "/v1/raw:stream", body: payload, contentType: "text/csv")
            #expect(streamed.status == 200)
            #expect(streamed.contentType == "text/csv")
            #expect(streamed.body == payload + payload + payload)
        }
    }
}
