import DemoServices
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import PorticoTestSupport
import Testing

@testable import Gateway

@Suite("/metrics after real traffic")
struct MetricsEndpointTests {
    static let echoService = "portico.demo.echo.v1.EchoService"

    func scrape(_ gateway: GatewayHarness) async throws -> PrometheusText {
        let reply = try await CurlClient(baseURL: "http://\(gateway.adminAddress)").send("GET", "/metrics")
        #expect(reply.status == 200)
        #expect(reply.header("content-type")?.hasPrefix("text/plain") == true)
        return PrometheusText(reply.body)
    }

    @Test("JSON and native gRPC calls are counted per route and per gRPC method, with status and code")
    func requestCounts() async throws {
        try await withGateway(echo: 1, library: 0) { gateway in
            let client = gateway.client()
            for _ in 0..<3 {
                #expect(try await client.send("POST", "/v1/echo", body: #"{"message":"hi"}"#).status == 200)
            }
            #expect(try await client.send("POST", "/v1/echo", body: #"{"message":"x","failCode":5}"#).status == 404)
            #expect(try await client.send("GET", "/no/such/path/secret-token").status == 404)
            try await withGRPCClient(
                transport: .http2NIOPosix(
                    target: .ipv4(address: gateway.address.host, port: gateway.address.port),
                    transportSecurity: .plaintext)
            ) { grpc in
                let echo = Portico_Demo_Echo_V1_EchoService.Client(wrapping: grpc)
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.message = "native"
                for _ in 0..<2 { _ = try await echo.echo(request) }
            }

            let metrics = try await scrape(gateway)
            let route = ["route": "/v1/echo", "method": "POST"]
            #expect(metrics.value("portico_http_requests_total", route.merging(["code": "200"]) { $1 }) == 3)
            #expect(metrics.value("portico_http_requests_total", route.merging(["code": "404"]) { $1 }) == 1)
            #expect(metrics.value("portico_http_request_duration_seconds_count", route) == 4)
            #expect(
                metrics.value("portico_http_requests_total", ["route": "unmatched", "method": "GET", "code": "404"]) == 1)
            #expect(!metrics.text.contains("secret-token"), "a raw path leaked into a label")

            let method = ["grpc_service": Self.echoService, "grpc_method": "Echo", "grpc_type": "unary"]
            #expect(metrics.value("grpc_server_started_total", method) == 6)
            #expect(metrics.value("grpc_server_handled_total", method.merging(["grpc_code": "OK"]) { $1 }) == 5)
            #expect(metrics.value("grpc_server_handled_total", method.merging(["grpc_code": "NotFound"]) { $1 }) == 1)
            #expect(metrics.value("grpc_server_handling_seconds_count", method) == 6)
            // A method not called yet has no series (go-grpc-prometheus' default).
            let expand = ["grpc_service": Self.echoService, "grpc_method": "Expand", "grpc_type": "server_stream"]
            #expect(metrics.samples("grpc_server_started_total", expand).isEmpty)
            #expect(metrics.samples("grpc_server_handling_seconds_count", expand).isEmpty)
        }
    }

    @Test("metrics.initializeMethods exports every method's series at zero before its first call")
    func initializedMethods() async throws {
        try await withGateway(echo: 1, library: 0, configure: { $0.metrics.initializeMethods = true }) { gateway in
            let metrics = try await scrape(gateway)
            let expand = ["grpc_service": Self.echoService, "grpc_method": "Expand", "grpc_type": "server_stream"]
            #expect(metrics.value("grpc_server_started_total", expand) == 0)
            #expect(metrics.samples("grpc_server_handled_total", expand).count == 17)
            #expect(metrics.value("grpc_server_handled_total", expand.merging(["grpc_code": "Unauthenticated"]) { $1 }) == 0)
            #expect(metrics.value("grpc_server_handling_seconds_count", expand) == 0)
            #expect(metrics.samples("grpc_server_handling_seconds_bucket", expand).count == 15)
        }
    }

    @Test("a route table of 1,000 services registers no request series up front; the last method counts from its first call")
    func idleScrapeIsSmall() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portico-services-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("bench/services/generate.py")
        let generated = try await HelperProcess.run("/usr/bin/env", ["python3", script.path, "1000", folder.path], timeout: 120)
        try #require(generated.status == 0, "\(generated.standardError)")
        var config = try GatewayConfig(
            yaml: try String(contentsOf: folder.appendingPathComponent("portico.yaml"), encoding: .utf8),
            file: "portico.yaml", relativeTo: folder.path)
        config.listen = SocketAddressText(host: "127.0.0.1", port: 0)
        let metrics = GatewayMetrics()
        let runtime = try GatewayRuntime(config: config, metrics: metrics)
        #expect(runtime.routes.routes.count == 10_000)
        guard case .matched = runtime.routes.match(method: "POST", path: "/v1/s0999/items:search") else {
            Issue.record("the last service's last route does not match")
            return
        }
        let idle = metrics.exposition(backends: runtime.backends, kubernetes: nil, initializeMethods: false)
        let idleText = PrometheusText(String(decoding: idle, as: UTF8.self))
        #expect(idleText.samples.filter { $0.name.hasPrefix("grpc_server_") }.isEmpty)
        // Only the unmatched-route series, which the gateway makes itself, may exist before traffic.
        #expect(idleText.samples.filter { $0.name.hasPrefix("portico_http_") }.isEmpty)
        // What is left is one line per backend (its serving endpoints; nothing has connected yet); with 40
        // request series per method made up front it was over 50 MB.
        #expect(idle.count < 100_000, "an idle scrape is \(idle.count) bytes")
        #expect(idleText.samples.filter { $0.name.hasPrefix("portico_backend_endpoints") }.count == 1000)
        // The last method of the last service counts from its first call.
        let last = try #require(runtime.methodMetrics(path: "/bench.s0999.v1.ItemService/SearchItems"))
        last.recordStarted()
        last.recordHandled(.ok, duration: .milliseconds(3))
        let text = PrometheusText(
            String(decoding: metrics.exposition(backends: runtime.backends, kubernetes: nil, initializeMethods: false), as: UTF8.self))
        let labels = ["grpc_service": "bench.s0999.v1.ItemService", "grpc_method": "SearchItems", "backend": "s0999"]
        #expect(text.value("grpc_server_started_total", labels) == 1)
        #expect(text.value("grpc_server_handled_total", labels.merging(["grpc_code": "OK"]) { $1 }) == 1)
        #expect(text.value("grpc_server_handling_seconds_bucket", labels.merging(["le": "0.005"]) { $1 }) == 1)
        #expect(text.value("grpc_server_handling_seconds_bucket", labels.merging(["le": "0.002"]) { $1 }) == 0)
        #expect(text.samples("grpc_server_started_total").count == 1)
    }

    @Test("backend, endpoint and process series describe the running gateway")
    func stateSeries() async throws {
        try await withGateway(echo: 2, library: 0) { gateway in
            for _ in 0..<4 {
                #expect(try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"hi"}"#).status == 200)
            }
            let metrics = try await scrape(gateway)
            for backend in gateway.backends {
                let endpoint = ["backend": "echo", "endpoint": "\(backend.host):\(backend.port)"]
                #expect(metrics.value("portico_endpoint_in_flight", endpoint) == 0)
                #expect(metrics.value("portico_endpoint_ejected", endpoint) == 0)
                #expect((metrics.value("portico_endpoint_latency_ewma_seconds", endpoint) ?? -1) > 0)
            }
            #expect(metrics.value("portico_backend_endpoints", ["backend": "echo", "state": "serving"]) == 2)
            #expect(metrics.value("portico_backend_in_flight", ["backend": "echo"]) == 0)
            // Two event loops, each with a connection to each endpoint.
            #expect((metrics.value("portico_upstream_connections_opened_total", ["backend": "echo"]) ?? 0) >= 2)
            #expect((metrics.value("portico_upstream_connections_open", ["backend": "echo"]) ?? 0) >= 2)
            // Series that never counted anything are not there yet (as a labelled series of a Prometheus
            // client), but their families are declared.
            #expect(metrics.samples("portico_upstream_connections_failed_total", ["backend": "echo"]).isEmpty)
            #expect(metrics.samples("portico_backend_retry_overflows_total", ["backend": "echo"]).isEmpty)
            #expect(metrics.samples("portico_backend_endpoints", ["backend": "echo", "state": "ejected"]).isEmpty)
            #expect(metrics.declaredNames.contains("portico_upstream_connections_failed_total"))
            #expect((metrics.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((metrics.value("process_open_fds") ?? 0) > 3)
            #expect((metrics.value("portico_uptime_seconds") ?? -1) >= 0)
            #expect(metrics.value("portico_build_info", ["version": "0.1.0"]) == 1)
            #expect(metrics.value("portico_config_reloads_total", ["result": "success"]) == 1)
        }
    }

    @Test("every series the Grafana dashboard queries is exported (declared, with samples from first use)")
    func dashboardMatchesExports() async throws {
        let dashboard = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("manifests/grafana-dashboard.json")
        let text = try String(contentsOf: dashboard, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\b(?:portico|grpc_server|process)_[a-z_]+"#)
        let queried = Set(
            pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
                Range(match.range, in: text).map { String(text[$0]) }
            })
        #expect(queried.count > 10)
        try await withGateway(echo: 1, library: 0) { gateway in
            #expect(try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"hi"}"#).status == 200)
            let scraped = try await scrape(gateway)
            let exported = Set(scraped.samples.map(\.name)).union(scraped.declaredNames)
            for name in queried.sorted() {
                #expect(exported.contains(name), "the dashboard queries \(name), which /metrics does not export")
            }
        }
    }
}
