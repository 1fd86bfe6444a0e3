import Balancer
import Testing

@testable import Gateway

@Suite("Backend series")
struct BackendSeriesWriterTests {
    /// A backend named `name` with static endpoints on ports 7001… (nothing is dialled: no server runs).
    static func backend(_ name: String, endpoints: Int, metrics: GatewayMetrics) -> BackendRuntime {
        let config = GatewayConfig.Backend(
            name: name, descriptorFiles: [],
            endpoints: (0..<endpoints).map { SocketAddressText(host: "127.0.0.1", port: 7001 + $0) })
        return BackendRuntime(config: config, metrics: metrics.backend(named: name))
    }

    static func scrape(_ metrics: GatewayMetrics, _ backends: [BackendRuntime]) -> PrometheusText {
        PrometheusText(
            String(
                decoding: metrics.exposition(backends: backends, kubernetes: nil, initializeMethods: false),
                as: UTF8.self))
    }

    static func backendSamples(_ text: PrometheusText, _ name: String) -> [String] {
        text.samples.filter { $0.labels["backend"] == name }.map { sample in
            sample.name + (sample.labels["state"].map { "{\($0)}" } ?? "")
                + (sample.labels["endpoint"].map { "[\($0)]" } ?? "")
        }.sorted()
    }

    @Test("an idle backend costs one line, its serving endpoints; every family is declared all the same")
    func idleBackend() throws {
        let metrics = GatewayMetrics()
        let echo = Self.backend("echo", endpoints: 2, metrics: metrics)
        let text = Self.scrape(metrics, [echo])
        #expect(Self.backendSamples(text, "echo") == ["portico_backend_endpoints{serving}"])
        #expect(text.value("portico_backend_endpoints", ["backend": "echo", "state": "serving"]) == 2)
        for family in BackendFamily.allCases {
            #expect(text.declaredNames.contains(family.name), "\(family.name) is not declared")
        }
    }

    @Test("a series appears once used and stays, at zero too")
    func seriesAppearOnUse() throws {
        let metrics = GatewayMetrics()
        let echo = Self.backend("echo", endpoints: 1, metrics: metrics)
        echo.metrics.recordConnectionOpened()
        var text = Self.scrape(metrics, [echo])
        #expect(text.value("portico_upstream_connections_opened_total", ["backend": "echo"]) == 1)
        #expect(text.value("portico_upstream_connections_open", ["backend": "echo"]) == 1)
        #expect(text.samples("portico_upstream_connections_failed_total").isEmpty)
        echo.metrics.recordConnectionClosed()
        echo.metrics.recordConnectionFailed()
        text = Self.scrape(metrics, [echo])
        #expect(text.value("portico_upstream_connections_open", ["backend": "echo"]) == 0)
        #expect(text.value("portico_upstream_connections_failed_total", ["backend": "echo"]) == 1)
    }

    @Test("an endpoint's series appear with its first call, go with the endpoint, and survive a reload")
    func endpointSeries() throws {
        let metrics = GatewayMetrics()
        let echo = Self.backend("echo", endpoints: 2, metrics: metrics)
        let pick = try #require(echo.balancer.pick(where: { _ in true }))
        var text = Self.scrape(metrics, [echo])
        let called = ["backend": "echo", "endpoint": pick.endpoint.description]
        // In flight: the endpoint and the backend's load show.
        #expect(text.value("portico_endpoint_in_flight", called) == 1)
        #expect(text.value("portico_backend_in_flight", ["backend": "echo"]) == 1)
        echo.balancer.complete(pick.ticket, outcome: .success(latency: .milliseconds(20)))
        text = Self.scrape(metrics, [echo])
        #expect(text.value("portico_endpoint_in_flight", called) == 0)
        #expect(text.value("portico_endpoint_ejected", called) == 0)
        #expect(text.value("portico_endpoint_ejections_total", called) == 0)
        #expect((text.value("portico_endpoint_latency_ewma_seconds", called) ?? 0) > 0)
        #expect(text.value("portico_backend_in_flight", ["backend": "echo"]) == 0)
        // The endpoint never called has no series.
        #expect(text.samples("portico_endpoint_in_flight").count == 1)

        // A reload makes a new runtime and balancer for the backend: what was used stays shown.
        let reloaded = Self.backend("echo", endpoints: 2, metrics: metrics)
        text = Self.scrape(metrics, [reloaded])
        #expect(text.value("portico_endpoint_in_flight", called) == 0)

        // The endpoint leaves: its series go.
        reloaded.balancer.update(endpoints: [EndpointAddress(host: "127.0.0.1", port: 7009)])
        text = Self.scrape(metrics, [reloaded])
        #expect(text.samples("portico_endpoint_in_flight").isEmpty)
        #expect(text.value("portico_backend_endpoints", ["backend": "echo", "state": "serving"]) == 1)
    }

    @Test("a backend that a reload removed has no series left")
    func removedBackend() throws {
        let metrics = GatewayMetrics()
        let echo = Self.backend("echo", endpoints: 1, metrics: metrics)
        let library = Self.backend("library", endpoints: 1, metrics: metrics)
        echo.metrics.recordRetry()
        #expect(Self.scrape(metrics, [echo, library]).value("portico_backend_retries_total", ["backend": "echo"]) == 1)
        let text = Self.scrape(metrics, [library])
        #expect(Self.backendSamples(text, "echo").isEmpty)
        #expect(Self.backendSamples(text, "library") == ["portico_backend_endpoints{serving}"])
    }
}
