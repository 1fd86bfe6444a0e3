import Balancer
import DemoServices
import Discovery
import Foundation
import Gateway
import PorticoTestSupport
import Testing

/// The gateway run outside a cluster against the test Kubernetes API server, with a kubeconfig: JSON
/// requests reach exactly the pods the API server announces.
@Suite("Gateway with Kubernetes discovery")
struct KubernetesEndToEndTests {
    @Test("requests reach the pods the API server announces and stop reaching those it removes; the annotation picks the balancer")
    func followsEndpointSlices() async throws {
        let server = try await KubeAPIServer()
        // Two demo pods on one port of two loopback addresses, as two pods of one Service would be.
        let first = try await DemoBackend.start(kind: .echo, name: "pod-a", host: "127.0.0.1")
        let second = try await DemoBackend.start(kind: .echo, name: "pod-b", host: "127.0.0.2", port: first.port)
        let readinessOK: Bool
        do {
            try await server.applyService("echo", ports: [("grpc", 80)], annotations: ["portico.io/balancer": "least-outstanding"])
            try await server.applySlice(
                "echo-a", service: "echo", ports: ["grpc": first.port],
                endpoints: [TestEndpoint(ip: "127.0.0.1", pod: "pod-a")])
            let kubeconfig = try server.kubeconfig()
            readinessOK = try await withGateway(echo: 0, library: 0, configure: { config in
                config.kubernetes.kubeconfig = kubeconfig
                config.backends = [
                    GatewayConfig.Backend(
                        name: "echo", descriptorFiles: [DemoBackend.descriptorSetURL(for: .echo).path],
                        kubernetes: KubernetesServiceRef(service: "echo", namespace: "shop", port: .name("grpc")))
                ]
            }) { gateway in
                let client = gateway.client()
                try await Self.waitUntil { try await Self.servedBy(client) == ["pod-a"] }
                let ready = try await CurlClient(baseURL: "http://\(gateway.adminAddress)").send("GET", "/readyz")
                #expect(gateway.server.backends.first?.balancer.strategy == .leastOutstanding)

                try await server.applySlice(
                    "echo-a", service: "echo", ports: ["grpc": first.port],
                    endpoints: [TestEndpoint(ip: "127.0.0.1", pod: "pod-a"), TestEndpoint(ip: "127.0.0.2", pod: "pod-b")])
                try await Self.waitUntil { try await Self.servedBy(client) == ["pod-a", "pod-b"] }

                try await server.applySlice(
                    "echo-a", service: "echo", ports: ["grpc": first.port],
                    endpoints: [
                        TestEndpoint(ip: "127.0.0.1", ready: false, pod: "pod-a"), TestEndpoint(ip: "127.0.0.2", pod: "pod-b"),
                    ])
                try await Self.waitUntil { try await Self.servedBy(client) == ["pod-b"] }

                let metrics = try await CurlClient(baseURL: "http://\(gateway.adminAddress)").send("GET", "/metrics").body
                let lists = Self.value(of: "portico_discovery_lists_total", in: metrics)
                let events = Self.value(of: "portico_discovery_events_applied_total", in: metrics)
                #expect((lists ?? 0) >= 2, "a list of the Service and one of its slices")
                #expect((events ?? 0) >= 2, "two slice updates arrived as watch events")
                #expect(Self.value(of: "portico_discovery_last_sync_age_seconds", in: metrics) != nil)
                #expect(
                    Self.value(of: "portico_discovery_watches_open", in: metrics) == 2,
                    "one shared EndpointSlice watch and one Service watch for the namespace")
                return ready.status == 200
            }
        } catch {
            await first.stop(gracePeriod: .seconds(5))
            await second.stop(gracePeriod: .seconds(5))
            throw error
        }
        await first.stop(gracePeriod: .seconds(5))
        await second.stop(gracePeriod: .seconds(5))
        #expect(readinessOK, "/readyz turns ready once discovery has synced")
    }

    /// The value of an unlabelled series in a Prometheus text exposition.
    static func value(of series: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    /// The pods that served eight requests in a row.
    static func servedBy(_ client: CurlClient) async throws -> Set<String> {
        var names: Set<String> = []
        for _ in 0..<8 {
            let reply = try await client.send("POST", "/v1/echo", body: #"{"message":"k8s"}"#)
            guard reply.status == 200 else { continue }
            names.insert(try reply.json["servedBy"] as? String ?? "")
        }
        return names
    }

    /// Polls `condition` until it holds, for up to 30 seconds.
    static func waitUntil(_ condition: () async throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the condition never held", sourceLocation: sourceLocation)
    }
}
