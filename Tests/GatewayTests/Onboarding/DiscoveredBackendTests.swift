import Discovery
import Testing

@testable import Gateway

/// How an exposed Service's annotations become a backend's settings.
@Suite("Discovered backends from Service annotations")
struct DiscoveredBackendTests {
    static func service(_ annotations: [String: String], ports: [ExposedService.Port] = [.init(name: "grpc", port: 80)])
        -> ExposedService
    {
        ExposedService(
            namespace: "books", name: "catalog", ports: ports,
            settings: BackendSettings(annotations: annotations.merging(["portico.io/expose": "true"]) { a, _ in a }))
    }

    let settings = GatewayConfig.ExposedServices(
        scope: .all, reflection: .init(refreshInterval: .seconds(5), timeout: .seconds(2), maxMessageBytes: 1 << 20))

    @Test("named namespace/service, following the Service's gRPC port, its schema from reflection")
    func defaults() throws {
        let backend = try DiscoveredBackend(Self.service([:]), settings: settings)
        #expect(backend.config.name == "books/catalog")
        #expect(backend.config.kubernetes == KubernetesServiceRef(service: "catalog", namespace: "books", port: .name("grpc")))
        #expect(backend.config.reflection == settings.reflection)
        #expect(backend.config.descriptorFiles.isEmpty)
        #expect(backend.config.timeout == .seconds(30))
        #expect(backend.config.balancing.retryUnavailable == false)
        #expect(backend.config.balancer == nil, "the balancer annotation applies through the endpoint snapshots")
        #expect(backend.ignoredAnnotations.isEmpty)
    }

    @Test("portico.io/timeout and portico.io/retryOn set the timeout and the retry of UNAVAILABLE")
    func annotations() throws {
        let backend = try DiscoveredBackend(
            Self.service(["portico.io/timeout": "1m30s", "portico.io/retryOn": " unavailable ", "portico.io/balancer": "ewma"]),
            settings: settings)
        #expect(backend.config.timeout == .seconds(90))
        #expect(backend.config.balancing.retryUnavailable)
        #expect(backend.ignoredAnnotations.isEmpty)
    }

    @Test(
        "an unusable annotation is reported and its setting keeps its default",
        arguments: [
            (["portico.io/timeout": "soon"], "portico.io/timeout: soon"),
            (["portico.io/timeout": "0s"], "portico.io/timeout: 0s"),
            (["portico.io/retryOn": "unavailable,deadline-exceeded"], "unknown condition deadline-exceeded"),
            (["portico.io/balancer": "random"], "unknown balancer random"),
        ])
    func unusable(annotations: [String: String], reported: String) throws {
        let backend = try DiscoveredBackend(Self.service(annotations), settings: settings)
        #expect(backend.ignoredAnnotations.count == 1)
        #expect(backend.ignoredAnnotations.first?.contains(reported) == true, "\(backend.ignoredAnnotations)")
        #expect(backend.config.timeout == .seconds(30))
    }

    @Test("a Service without a usable gRPC port is not a backend")
    func noPort() {
        let service = Self.service([:], ports: [.init(name: "http", port: 8080), .init(name: "metrics", port: 9090)])
        #expect(throws: ExposedService.PortError.self) { try DiscoveredBackend(service, settings: settings) }
    }
}
