import Foundation
import Gateway
import PorticoTestSupport
import Testing

/// A cluster's worth of services behind one gateway (issue 12): bench/services/generate.py writes 1,000
/// services × 10 annotated methods, each with its own descriptor set and backend.
@Suite("A thousand services")
struct ThousandServicesTests {
    @Test("a generated 1,000-service config loads and its last method answers JSON; only that method's series appear")
    func lastMethodServes() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portico-1000-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("bench/services/generate.py")
        let generated = try await HelperProcess.run(
            "/usr/bin/env", ["python3", script.path, "1000", folder.path], timeout: 120)
        try #require(generated.status == 0, "\(generated.standardError)")
        let services = try GatewayConfig(
            yaml: try String(contentsOf: folder.appendingPathComponent("portico.yaml"), encoding: .utf8),
            file: "portico.yaml", relativeTo: folder.path)
        #expect(services.backends.count == 1000)
        // The last service's pod is a grpcio server answering any method with an empty message; the other 999
        // have an endpoint where nothing listens.
        let (server, port) = try await HTTP2ClientConnectionTests.startPythonServer(answeringAnyMethod: true)
        defer { server.stop() }
        try await withGateway(
            echo: 0, library: 0,
            configure: { config in
                config.backends += services.backends
                config.update(backend: "s0999") { $0.endpoints = [SocketAddressText(host: "127.0.0.1", port: port)] }
            }
        ) { gateway in
            let reply = try await gateway.client().send("POST", "/v1/s0999/items:search", body: #"{"name":"x"}"#)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.body.hasPrefix("{"))
            let other = try await gateway.client().send("GET", "/v1/s0500/items/a")
            #expect(other.status == 503, "\(other.body)")

            let metrics = PrometheusText(
                try await CurlClient(baseURL: "http://\(gateway.adminAddress)").send("GET", "/metrics").body)
            let method = ["grpc_service": "bench.s0999.v1.ItemService", "grpc_method": "SearchItems", "backend": "s0999"]
            #expect(metrics.value("grpc_server_started_total", method) == 1)
            #expect(metrics.value("grpc_server_handled_total", method.merging(["grpc_code": "OK"]) { $1 }) == 1)
            // Only the methods called have series; the other 9,998 have none.
            let started = metrics.samples("grpc_server_started_total")
            #expect(!started.isEmpty && started.allSatisfy { ["s0999", "s0500"].contains($0.labels["backend"]) })
            #expect(
                metrics.value(
                    "portico_http_requests_total", ["route": "/v1/s0999/items:search", "method": "POST", "code": "200"])
                    == 1)
            #expect(metrics.samples("portico_backend_endpoints", ["state": "serving"]).count == 1000)
        }
    }
}
