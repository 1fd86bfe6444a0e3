import Discovery
import Foundation
import Logging
import PorticoTestSupport
import Testing

/// Discovery against the test API server (HTTPS, its own CA, bearer tokens): every fault the issue lists.
@Suite("Kubernetes discovery against the test API server")
struct KubernetesDiscoveryTests {
    static let library = KubernetesServiceRef(service: "library", namespace: "shop", port: .name("grpc"))

    /// Fast reconnects so fault tests take milliseconds.
    static func config(kubeconfig: String, legacy: Bool = false) -> KubernetesConfig {
        KubernetesConfig(
            kubeconfig: kubeconfig, watchTimeout: .seconds(300),
            backoff: .init(initial: .milliseconds(20), maximum: .milliseconds(200)), legacyEndpoints: legacy,
            connectTimeout: .seconds(2), listTimeout: .seconds(5))
    }

    static func start(
        _ server: KubeAPIServer, service: KubernetesServiceRef = library, legacy: Bool = false
    ) throws -> (KubernetesDiscovery, SnapshotCollector, CapturingLogHandler.Store) {
        let (logger, logs) = CapturingLogHandler.logger()
        let discovery = try KubernetesDiscovery(
            config: config(kubeconfig: try server.kubeconfig(), legacy: legacy), logger: logger)
        return (discovery, SnapshotCollector(discovery.watch(service, backend: "library")), logs)
    }

    static func listCount(_ server: KubeAPIServer, _ resource: String = "endpointslices") async throws -> Int {
        try await server.requests().filter {
            $0.path.hasSuffix(resource) && $0.query["watch"] == nil && $0.status == 200
        }
        .count
    }

    @Test("pods added, removed, becoming not ready and terminating reach the snapshots")
    func podLifecycle() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice(
            "library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1", pod: "p1")])
        try await server.applySlice("other", service: "other", endpoints: [TestEndpoint(ip: "10.9.9.9")])
        let (discovery, snapshots, _) = try Self.start(server)
        #expect(!discovery.isSynced)
        let first = try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
        #expect(first.endpoints.first?.podName == "p1")
        #expect(discovery.isSynced)

        try await server.applySlice(
            "library-a", service: "library",
            endpoints: [
                TestEndpoint(ip: "10.0.0.1", pod: "p1"),
                TestEndpoint(ip: "10.0.0.2", pod: "p2", node: "n2", zone: "z2"),
            ])
        let added = try await snapshots.wait { $0.addresses == ["10.0.0.1:9000", "10.0.0.2:9000"] }
        #expect(added.endpoints.first { $0.host == "10.0.0.2" }?.zone == "z2")

        try await server.applySlice(
            "library-a", service: "library",
            endpoints: [TestEndpoint(ip: "10.0.0.1"), TestEndpoint(ip: "10.0.0.2", ready: false, serving: false)])
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }

        try await server.applySlice(
            "library-a", service: "library",
            endpoints: [
                TestEndpoint(ip: "10.0.0.1", ready: false, serving: true, terminating: true),
                TestEndpoint(ip: "10.0.0.3"),
            ])
        let terminating = try await snapshots.wait { $0.addresses == ["10.0.0.1:9000", "10.0.0.3:9000"] }
        #expect(terminating.endpoints.first { $0.host == "10.0.0.1" }?.condition == .terminating)
        #expect(terminating.serving.map { $0.host } == ["10.0.0.3"])

        try await server.delete(kind: "EndpointSlice", "library-a")
        try await snapshots.wait { $0.endpoints.isEmpty }
        #expect(try await Self.listCount(server) == 1)
    }

    @Test("250 endpoints across 3 slices of one service all arrive, and a change to one slice keeps the rest")
    func manyEndpoints() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        for (index, count) in [100, 100, 50].enumerated() {
            try await server.applySlice(
                "library-\(index)", service: "library",
                endpoints: (0..<count).map { TestEndpoint(ip: "10.\(index).0.\($0)") })
        }
        let (_, snapshots, _) = try Self.start(server)
        try await snapshots.wait { $0.endpoints.count == 250 }
        try await server.applySlice(
            "library-2", service: "library", endpoints: (0..<49).map { TestEndpoint(ip: "10.2.0.\($0)") })
        let after = try await snapshots.wait { $0.endpoints.count == 249 }
        #expect(!after.addresses.contains("10.2.0.49:9000"))
        #expect(snapshots.all.allSatisfy { $0.endpoints.count >= 249 })
    }

    @Test("a dropped watch resumes from the last resource version without a relist")
    func droppedWatch() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let (_, snapshots, _) = try Self.start(server)
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
        let version = try await server.applySlice(
            "library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1"), TestEndpoint(ip: "10.0.0.2")])
        try await snapshots.wait { $0.endpoints.count == 2 }
        #expect(try await eventually { try await server.openWatches().count == 2 })
        try await server.command(["op": "drop"])
        #expect(try await eventually { try await server.openWatches().count == 2 })
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.3")])
        try await snapshots.wait { $0.addresses == ["10.0.0.3:9000"] }
        let watches = try await server.requests().filter {
            $0.path.hasSuffix("endpointslices") && $0.query["watch"] == "1"
        }
        #expect(watches.count == 2)
        #expect(watches.last?.query["resourceVersion"] == String(version))
        #expect(watches.allSatisfy { $0.query["allowWatchBookmarks"] == "true" })
        #expect(try await Self.listCount(server) == 1)
        #expect(snapshots.all.allSatisfy { !$0.endpoints.isEmpty })
    }

    @Test("bookmarks move the resource version a resumed watch starts from")
    func bookmarks() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let (_, snapshots, _) = try Self.start(server)
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
        #expect(try await eventually { try await server.openWatches().count == 2 })
        // Changes to another service advance the version without reaching this watch; the bookmark tells it.
        let version = try await server.applySlice("other", service: "other", endpoints: [TestEndpoint(ip: "10.9.9.9")])
        // The bookmark is written before the drop on the same stream, so it arrives before the close.
        try await server.command(["op": "bookmark"])
        try await server.command(["op": "drop"])
        func watches() async throws -> [KubeAPIServer.Request] {
            try await server.requests().filter { $0.path.hasSuffix("endpointslices") && $0.query["watch"] == "1" }
        }
        #expect(try await eventually { try await watches().count == 2 })
        #expect(try await watches().last?.query["resourceVersion"] == String(version))
        #expect(try await Self.listCount(server) == 1)
    }

    @Test("410 Gone relists, and the list replaces the state", arguments: ["event", "status"])
    func gone(mode: String) async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        try await server.applySlice("library-b", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.2")])
        let (discovery, snapshots, _) = try Self.start(server)
        try await snapshots.wait { $0.endpoints.count == 2 }
        #expect(try await eventually { try await server.openWatches().count == 2 })
        #expect(discovery.statistics.relists == 0)
        // The deletion of library-b is lost in the compacted history: only the relist can reveal it.
        try await server.delete(kind: "EndpointSlice", "library-b", silent: true)
        try await server.command(["op": "expire", "mode": mode])
        if mode == "status" { try await server.command(["op": "drop"]) }
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
        #expect(try await Self.listCount(server) == 2)
        #expect(discovery.statistics.relists >= 1, "the slices' watch relisted (the Service's may have too)")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.5")])
        try await snapshots.wait { $0.addresses == ["10.0.0.5:9000"] }
        #expect(discovery.statistics.eventsApplied >= 1)
    }

    @Test("while the API server is down the endpoints stay; discovery reconnects with backoff")
    func serverDown() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let (discovery, snapshots, logs) = try Self.start(server)
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
        try await server.command(["op": "stop"])
        #expect(try await eventually { logs.messages(atLeast: .warning).filter { $0 == "watch failed" }.count >= 6 })
        #expect(snapshots.all.count == 1)
        #expect(discovery.isSynced)
        try await server.command(["op": "start"])
        try await server.applySlice(
            "library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1"), TestEndpoint(ip: "10.0.0.2")])
        try await snapshots.wait { $0.endpoints.count == 2 }
        #expect(snapshots.all.allSatisfy { !$0.endpoints.isEmpty })
        #expect(try await Self.listCount(server) == 1)
    }

    @Test("a rotated service-account token is read again after a 401 and the watch goes on")
    func tokenRotation() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let tokenFile = "\(server.directory)/token"
        try "initial-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try "shop".write(toFile: "\(server.directory)/namespace", atomically: true, encoding: .utf8)
        let inCluster = KubernetesConfig.InCluster(
            tokenFile: tokenFile, caFile: "\(server.directory)/ca.crt", namespaceFile: "\(server.directory)/namespace",
            environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "\(server.port)"])
        let discovery = try KubernetesDiscovery(
            config: KubernetesConfig(
                backoff: .init(initial: .milliseconds(20), maximum: .milliseconds(200)), inCluster: inCluster))
        #expect(discovery.defaultNamespace == "shop")
        let snapshots = SnapshotCollector(
            discovery.watch(KubernetesServiceRef(service: "library", port: .name("grpc")), backend: "library"))
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }

        try "rotated-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try await server.command(["op": "token", "token": "rotated-token"])
        try await server.command(["op": "drop"])
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.2")])
        try await snapshots.wait { $0.addresses == ["10.0.0.2:9000"] }
        let statuses = try await server.requests().map(\.status)
        #expect(statuses.contains(401))
        #expect(statuses.last == 200)
    }

    @Test("a malformed event is logged and ignored, and the watch continues")
    func malformedEvent() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let (_, snapshots, logs) = try Self.start(server)
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
        #expect(try await eventually { try await server.openWatches().count == 2 })
        try await server.command(["op": "inject", "resource": "endpointslices", "raw": "this is not json"])
        try await server.command([
            "op": "inject", "resource": "endpointslices",
            "raw": #"{"type":"MODIFIED","object":{"metadata":{"name":"library-a"},"endpoints":"oops"}}"#,
        ])
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.2")])
        try await snapshots.wait { $0.addresses == ["10.0.0.2:9000"] }
        #expect(logs.messages(atLeast: .warning).filter { $0 == "malformed watch event ignored" }.count == 2)
        #expect(try await Self.listCount(server) == 1)
        #expect(try await server.requests().filter { $0.query["watch"] == "1" }.count == 2)
    }

    @Test("Service annotations set the balancer, and a change to them publishes a snapshot")
    func annotations() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library", annotations: ["portico.io/balancer": "least-outstanding"])
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let (_, snapshots, _) = try Self.start(server)
        try await snapshots.wait { $0.settings.balancer == "least-outstanding" && $0.endpoints.count == 1 }
        try await server.applyService("library", annotations: ["portico.io/balancer": "ewma"])
        try await snapshots.wait { $0.settings.balancer == "ewma" }
    }

    @Test("a port given by number is resolved through the Service's port name")
    func portByNumber() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library", ports: [("http", 80), ("grpc", 8443)])
        try await server.applySlice(
            "library-a", service: "library", ports: ["http": 8080, "grpc": 9000],
            endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let (_, snapshots, _) = try Self.start(
            server, service: KubernetesServiceRef(service: "library", namespace: "shop", port: .number(8443)))
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
    }

    @Test("legacy mode watches core/v1 Endpoints")
    func legacy() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applyEndpoints("library", ips: ["10.0.0.1", "10.0.0.2"], port: ("grpc", 9000))
        let (_, snapshots, _) = try Self.start(server, legacy: true)
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000", "10.0.0.2:9000"] }
        try await server.applyEndpoints("library", ips: ["10.0.0.2"], port: ("grpc", 9000))
        try await snapshots.wait { $0.addresses == ["10.0.0.2:9000"] }
        #expect(try await server.requests().contains { $0.path == "/api/v1/namespaces/shop/endpoints" })
        #expect(try await !server.requests().contains { $0.path.contains("endpointslices") })
    }

    @Test("a kubeconfig client certificate authenticates, with inline CA and certificate data")
    func clientCertificate() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let path = try server.kubeconfig(token: nil, clientCertificate: true, inlineData: true)
        let discovery = try KubernetesDiscovery(config: Self.config(kubeconfig: path))
        let snapshots = SnapshotCollector(discovery.watch(Self.library, backend: "library"))
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
    }

    @Test("a wrong token gets 401s and a server outside the CA is refused: no snapshot, errors logged")
    func rejected() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        for path in [try server.kubeconfig(token: "wrong"), try server.kubeconfig(caFile: "other-ca.crt")] {
            let (logger, logs) = CapturingLogHandler.logger()
            let discovery = try KubernetesDiscovery(config: Self.config(kubeconfig: path), logger: logger)
            let snapshots = SnapshotCollector(discovery.watch(Self.library, backend: "library"))
            #expect(try await eventually { logs.messages(atLeast: .warning).filter { $0 == "list failed" }.count >= 3 })
            #expect(snapshots.all.isEmpty)
            #expect(!discovery.isSynced)
        }
        let statuses = try await server.requests().compactMap(\.status)
        #expect(statuses.contains(401))
        #expect(!statuses.contains(200))
    }
}
