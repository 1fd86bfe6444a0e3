import Discovery
import PorticoTestSupport
import Testing

/// `KubernetesDiscovery.exposedServices` against the test API server: Services annotated
/// `portico.io/expose: "true"` join and leave the set as they gain and lose the annotation, in the
/// namespaces asked for, narrowed by a label selector on the server, through relists, sharing the Service
/// watches with the backends made from them.
@Suite("Kubernetes discovery finds exposed Services")
struct ExposedServicesDiscoveryTests {
    static let expose = ["portico.io/expose": "true"]

    /// A Service as the test server takes it, with labels.
    static func service(
        _ name: String, namespace: String = "shop", ports: [(name: String, port: Int)] = [("grpc", 80)],
        annotations: [String: String] = [:], labels: [String: String] = [:]
    ) -> [String: Any] {
        var object = KubeAPIServer.service(name, namespace: namespace, ports: ports, annotations: annotations)
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        metadata["labels"] = labels
        object["metadata"] = metadata
        return object
    }

    /// Creates or replaces a Service; a silent change sends no event (one the client missed).
    static func apply(
        _ server: KubeAPIServer, _ name: String, namespace: String = "shop",
        ports: [(name: String, port: Int)] = [("grpc", 80)], annotations: [String: String] = [:],
        labels: [String: String] = [:], silent: Bool = false
    ) async throws {
        let object = service(name, namespace: namespace, ports: ports, annotations: annotations, labels: labels)
        try await server.command(["op": "apply", "object": object, "silent": silent])
    }

    static func start(
        _ server: KubeAPIServer, scope: KubernetesConfig.WatchScope = .namespace
    ) throws -> KubernetesDiscovery {
        var config = KubernetesDiscoveryTests.config(kubeconfig: try server.kubeconfig())
        config.watchScope = scope
        return try KubernetesDiscovery(config: config)
    }

    /// The Service requests the server saw: lists and watches.
    static func serviceRequests(_ server: KubeAPIServer) async throws -> [KubeAPIServer.Request] {
        try await server.requests().filter { $0.path.hasSuffix("/services") }
    }

    @Test("a Service joins when it gains portico.io/expose: \"true\" and leaves when it loses it or is deleted")
    func annotationLifecycle() async throws {
        let server = try await KubeAPIServer()
        try await Self.apply(server, "plain")
        try await Self.apply(server, "library", annotations: Self.expose)
        try await Self.apply(server, "shouting", annotations: ["portico.io/expose": "True"])
        try await Self.apply(server, "declined", annotations: ["portico.io/expose": "false"])
        let discovery = try Self.start(server)
        let feed = ExposedServicesCollector(discovery.exposedServices(in: .namespaces(["shop"])))
        let first = try await feed.wait(for: ["shop/library"])
        #expect(discovery.isSynced)
        #expect(first[0].ports == [.init(name: "grpc", port: 80)])

        // Gaining the annotation (a MODIFIED event) adds the Service.
        try await Self.apply(server, "plain", annotations: Self.expose)
        try await feed.wait(for: ["shop/library", "shop/plain"])

        // Its portico.io settings and its ports are part of what the set carries.
        try await Self.apply(
            server, "plain", ports: [("http", 8080), ("api", 9000)],
            annotations: Self.expose.merging(["portico.io/balancer": "ewma", "portico.io/port": "api"]) { $1 })
        let changed = try await feed.wait { $0.last?.settings.balancer == "ewma" }
        #expect(changed.last?.ports == [.init(name: "http", port: 8080), .init(name: "api", port: 9000)])
        #expect(try changed.last?.grpcPort() == .init(name: "api", port: 9000))

        // A change to nothing the set carries publishes nothing: no two sets in a row are equal.
        try await Self.apply(
            server, "plain", ports: [("http", 8080), ("api", 9000)],
            annotations: Self.expose.merging(["portico.io/balancer": "ewma", "portico.io/port": "api"]) { $1 },
            labels: ["unrelated": "change"])

        // Losing the annotation removes it; so does deleting the Service.
        try await Self.apply(server, "plain", annotations: ["portico.io/balancer": "ewma"])
        try await feed.wait(for: ["shop/library"])
        try await server.delete(kind: "Service", "library")
        try await feed.wait(for: [])
        let sets = feed.all
        #expect(zip(sets, sets.dropFirst()).allSatisfy { $0 != $1 }, "\(sets)")
        #expect(sets.allSatisfy { set in set.allSatisfy { ["library", "plain"].contains($0.name) } })
    }

    @Test("readiness waits for the feed's first set")
    func readiness() async throws {
        let server = try await KubeAPIServer()
        try await Self.apply(server, "library", annotations: Self.expose)
        try await server.command(["op": "stop"])
        let discovery = try Self.start(server)
        #expect(discovery.isSynced)
        let feed = ExposedServicesCollector(discovery.exposedServices(in: .all))
        #expect(!discovery.isSynced)
        try await server.command(["op": "start"])
        try await feed.wait(for: ["shop/library"])
        #expect(discovery.isSynced)
    }

    @Test("a namespace list is one Service watch per namespace; all is one cluster-wide watch")
    func namespacesOrAll() async throws {
        let server = try await KubeAPIServer()
        try await Self.apply(server, "library", annotations: Self.expose)
        try await Self.apply(server, "catalog", namespace: "books", annotations: Self.expose)
        try await Self.apply(server, "plain", namespace: "books")
        try await Self.apply(server, "hidden", namespace: "other", annotations: Self.expose)
        let discovery = try Self.start(server)

        let listed = ExposedServicesCollector(discovery.exposedServices(in: .namespaces(["shop", "books"])))
        try await listed.wait(for: ["books/catalog", "shop/library"])
        #expect(try await eventually { try await server.openWatchDetails().count == 2 })
        #expect(
            Set(try await server.openWatchDetails()) == [
                .init(resource: "services", namespace: "shop"), .init(resource: "services", namespace: "books"),
            ])
        #expect(
            Set(try await Self.serviceRequests(server).map(\.path)) == [
                "/api/v1/namespaces/shop/services", "/api/v1/namespaces/books/services",
            ])
        try await Self.apply(server, "late", namespace: "other", annotations: Self.expose)
        try await Self.apply(server, "late", namespace: "books", annotations: Self.expose)
        try await listed.wait(for: ["books/catalog", "books/late", "shop/library"])
        listed.stop()
        #expect(try await eventually { try await server.openWatchDetails().isEmpty })

        let all = ExposedServicesCollector(discovery.exposedServices(in: .all))
        try await all.wait(for: ["books/catalog", "books/late", "other/hidden", "other/late", "shop/library"])
        #expect(try await eventually { try await server.openWatchDetails().count == 1 })
        #expect(try await server.openWatchDetails() == [.init(resource: "services", namespace: nil)])
        #expect(try await Self.serviceRequests(server).contains { $0.path == "/api/v1/services" })
        try await Self.apply(server, "new", namespace: "fresh", annotations: Self.expose)
        try await all.wait { $0.map(\.backendName).contains("fresh/new") }
    }

    @Test("with watchScope cluster a namespace list is one cluster-wide watch, filtered locally")
    func namespacesInClusterScope() async throws {
        let server = try await KubeAPIServer()
        try await Self.apply(server, "library", annotations: Self.expose)
        try await Self.apply(server, "hidden", namespace: "other", annotations: Self.expose)
        let discovery = try Self.start(server, scope: .cluster)
        let feed = ExposedServicesCollector(discovery.exposedServices(in: .namespaces(["shop", "books"])))
        try await feed.wait(for: ["shop/library"])
        try await Self.apply(server, "catalog", namespace: "books", annotations: Self.expose)
        try await Self.apply(server, "late", namespace: "other", annotations: Self.expose)
        try await feed.wait(for: ["books/catalog", "shop/library"])
        #expect(try await server.openWatchDetails() == [.init(resource: "services", namespace: nil)])
        #expect(Set(try await Self.serviceRequests(server).map(\.path)) == ["/api/v1/services"])
    }

    @Test("a backend made from an exposed Service gets its pods and shares the feed's Service watch")
    func backendSharesTheWatch() async throws {
        let server = try await KubeAPIServer()
        try await Self.apply(
            server, "library", ports: [("http", 8080), ("api", 50051)],
            annotations: Self.expose.merging(["portico.io/port": "50051"]) { $1 })
        try await server.applySlice(
            "library-a", service: "library", ports: ["http": 8081, "api": 9000],
            endpoints: [TestEndpoint(ip: "10.0.0.1"), TestEndpoint(ip: "10.0.0.2")])
        let discovery = try Self.start(server)
        let feed = ExposedServicesCollector(discovery.exposedServices(in: .all))
        let set = try await feed.wait(for: ["shop/library"])
        let library = set[0]
        let snapshots = SnapshotCollector(discovery.watch(try library.serviceRef(), backend: library.backendName))
        let snapshot = try await snapshots.wait { $0.addresses == ["10.0.0.1:9000", "10.0.0.2:9000"] }
        #expect(snapshot.backend == "shop/library")
        #expect(try await eventually { try await server.openWatchDetails().count == 2 })
        #expect(
            Set(try await server.openWatchDetails()) == [
                .init(resource: "services", namespace: nil),
                .init(resource: "endpointslices", namespace: "shop", labelSelector: "kubernetes.io/service-name"),
            ])
        #expect(Set(try await Self.serviceRequests(server).map(\.path)) == ["/api/v1/services"])

        // The Service is withdrawn: it leaves the set; the backend's pods stay until the gateway stops it.
        try await Self.apply(server, "library", ports: [("http", 8080), ("api", 50051)])
        try await feed.wait(for: [])
        snapshots.stop()
        feed.stop()
        #expect(try await eventually { try await server.openWatchDetails().isEmpty })
    }

    @Test("a label selector is sent as labelSelector and narrows the set, on the server")
    func selector() async throws {
        let server = try await KubeAPIServer()
        try await Self.apply(server, "a", annotations: Self.expose, labels: ["team": "books"])
        try await Self.apply(server, "b", annotations: Self.expose, labels: ["team": "music"])
        try await Self.apply(server, "c", annotations: Self.expose)
        let discovery = try Self.start(server)
        let feed = ExposedServicesCollector(
            discovery.exposedServices(in: .namespaces(["shop"]), selector: "team=books"))
        try await feed.wait(for: ["shop/a"])
        #expect(
            try await server.openWatchDetails() == [
                .init(resource: "services", namespace: "shop", labelSelector: "team=books")
            ])
        let requests = try await Self.serviceRequests(server)
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.query["labelSelector"] == "team=books" }, "\(requests.map(\.query))")

        // Gaining the label adds a Service; losing it removes one (the server sends DELETED).
        try await Self.apply(server, "b", annotations: Self.expose, labels: ["team": "books"])
        try await feed.wait(for: ["shop/a", "shop/b"])
        try await Self.apply(server, "a", annotations: Self.expose, labels: ["team": "music"])
        try await feed.wait(for: ["shop/b"])

        // A backend following a Service by name has a watch without the selector.
        let snapshots = SnapshotCollector(
            discovery.watch(KubernetesServiceRef(service: "c", namespace: "shop", port: .name("grpc")), backend: "c"))
        try await snapshots.wait { $0.endpoints.isEmpty }
        #expect(try await eventually { try await server.openWatchDetails().count == 3 })
        #expect(
            Set(try await server.openWatchDetails().filter { $0.resource == "services" }) == [
                .init(resource: "services", namespace: "shop", labelSelector: "team=books"),
                .init(resource: "services", namespace: "shop"),
            ])
    }

    @Test(
        "a 410 relist keeps the set right, changes missed in the compacted history included",
        arguments: ["event", "status"])
    func relist(mode: String) async throws {
        let server = try await KubeAPIServer()
        for name in ["a", "b", "c"] { try await Self.apply(server, name, annotations: Self.expose) }
        try await Self.apply(server, "d")
        let discovery = try Self.start(server)
        let feed = ExposedServicesCollector(discovery.exposedServices(in: .all))
        try await feed.wait(for: ["shop/a", "shop/b", "shop/c"])
        #expect(try await eventually { try await server.openWatchDetails().count == 1 })

        // Lost changes: one Service deleted, one withdrawn, one exposed; only the relist reveals them.
        try await server.delete(kind: "Service", "a", silent: true)
        try await Self.apply(server, "b", silent: true)
        try await Self.apply(server, "d", annotations: Self.expose, silent: true)
        try await server.command(["op": "expire", "mode": mode])
        if mode == "status" { try await server.command(["op": "drop"]) }
        try await feed.wait(for: ["shop/c", "shop/d"])
        #expect(discovery.statistics.relists >= 1)

        // Events flow again after the relist.
        try await Self.apply(server, "e", namespace: "books", annotations: Self.expose)
        try await feed.wait(for: ["books/e", "shop/c", "shop/d"])
    }
}
