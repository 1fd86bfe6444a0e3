import Discovery
import PorticoTestSupport
import Testing

/// Many backends against the test API server share one EndpointSlice watch and one Service watch per
/// namespace (or per cluster), and each backend still sees exactly its own pods.
@Suite("Kubernetes discovery shares its watches between backends")
struct SharedWatchTests {
    /// The backends of a test and the pods each should see.
    final class Backends {
        var collectors: [String: SnapshotCollector] = [:]
        /// `namespace/service` → slice name → the slice's IPs.
        var slices: [String: [String: [String]]] = [:]

        /// The `ip:9000` addresses `backend` should see now.
        func expected(_ backend: String) -> [String] {
            Set((slices[backend] ?? [:]).values.flatMap { $0 }).map { "\($0):9000" }.sorted()
        }

        /// Waits until every backend's newest snapshot holds exactly its pods.
        func waitAllRight(sourceLocation: SourceLocation = #_sourceLocation) async throws {
            for (backend, collector) in collectors.sorted(by: { $0.key < $1.key }) {
                let expected = expected(backend)
                try await collector.wait(sourceLocation: sourceLocation) { $0.addresses == expected }
            }
        }

        /// Whether no snapshot ever held an address outside its backend's own range (`10.N.I.x`).
        func neverMixed(_ prefixes: [String: String]) -> Bool {
            collectors.allSatisfy { backend, collector in
                collector.all.allSatisfy { snapshot in
                    snapshot.endpoints.allSatisfy { $0.host.hasPrefix(prefixes[backend]!) }
                }
            }
        }
    }

    /// Services `svc0…svc(count-1)` in `namespace`, each with one slice of two pods in `10.N.I.0/24`.
    static func populate(
        _ server: KubeAPIServer, _ backends: Backends, namespace: String, index n: Int, count: Int,
        prefixes: inout [String: String]
    ) async throws {
        var objects: [[String: Any]] = []
        for i in 0..<count {
            let name = "svc\(i)"
            let ips = ["10.\(n).\(i).1", "10.\(n).\(i).2"]
            objects.append(KubeAPIServer.service(name, namespace: namespace))
            objects.append(
                KubeAPIServer.slice(
                    "\(name)-a", service: name, namespace: namespace, endpoints: ips.map { TestEndpoint(ip: $0) }))
            backends.slices["\(namespace)/\(name)"] = ["\(name)-a": ips]
            prefixes["\(namespace)/\(name)"] = "10.\(n).\(i)."
        }
        try await server.applyAll(objects)
    }

    static func start(
        _ server: KubeAPIServer, scope: KubernetesConfig.WatchScope = .namespace
    ) throws -> KubernetesDiscovery {
        var config = KubernetesDiscoveryTests.config(kubeconfig: try server.kubeconfig())
        config.watchScope = scope
        return try KubernetesDiscovery(config: config)
    }

    static func follow(_ discovery: KubernetesDiscovery, _ backends: Backends, _ keys: [String]) {
        for key in keys {
            let parts = key.split(separator: "/").map(String.init)
            let service = KubernetesServiceRef(service: parts[1], namespace: parts[0], port: .name("grpc"))
            backends.collectors[key] = SnapshotCollector(discovery.watch(service, backend: key))
        }
    }

    /// Applies the slice and records what its backend should see.
    static func apply(
        _ server: KubeAPIServer, _ backends: Backends, _ key: String, slice: String, ips: [String]
    ) async throws {
        let parts = key.split(separator: "/").map(String.init)
        try await server.applySlice(
            slice, service: parts[1], namespace: parts[0], endpoints: ips.map { TestEndpoint(ip: $0) })
        backends.slices[key, default: [:]][slice] = ips
    }

    static func delete(_ server: KubeAPIServer, _ backends: Backends, _ key: String, slice: String) async throws {
        try await server.delete(kind: "EndpointSlice", slice, namespace: String(key.split(separator: "/")[0]))
        backends.slices[key]?[slice] = nil
    }

    @Test("45 backends in two namespaces: each gets exactly its pods through adds, changes and deletes, over 4 watches")
    func manyBackends() async throws {
        let server = try await KubeAPIServer()
        let backends = Backends()
        var prefixes: [String: String] = [:]
        try await Self.populate(server, backends, namespace: "shop", index: 0, count: 40, prefixes: &prefixes)
        try await Self.populate(server, backends, namespace: "books", index: 1, count: 5, prefixes: &prefixes)
        // A slice of a Service nobody follows, and a slice without the service-name label: never delivered.
        try await server.applySlice("unfollowed-a", service: "unfollowed", endpoints: [TestEndpoint(ip: "10.9.9.9")])
        let discovery = try Self.start(server)
        Self.follow(discovery, backends, backends.slices.keys.sorted())
        try await backends.waitAllRight()
        #expect(discovery.isSynced)

        let watches = try await server.openWatchDetails()
        #expect(watches.count <= 4)
        #expect(try await eventually { try await server.openWatchDetails().count == 4 })
        #expect(
            Set(try await server.openWatchDetails())
                == [
                    .init(resource: "endpointslices", namespace: "shop", labelSelector: "kubernetes.io/service-name"),
                    .init(resource: "services", namespace: "shop"),
                    .init(resource: "endpointslices", namespace: "books", labelSelector: "kubernetes.io/service-name"),
                    .init(resource: "services", namespace: "books"),
                ])
        #expect(try await eventually { discovery.statistics.watchesOpen == 4 })
        let lists = try await server.requests().filter { $0.query["watch"] == nil }
        #expect(lists.count == 4, "one list per collection: \(lists.map(\.path))")

        // Churn across many Services: a second slice for some, changed pods for others, deletions.
        for i in stride(from: 0, to: 40, by: 3) {
            try await Self.apply(server, backends, "shop/svc\(i)", slice: "svc\(i)-b", ips: ["10.0.\(i).3"])
        }
        for i in stride(from: 1, to: 40, by: 4) {
            try await Self.apply(server, backends, "shop/svc\(i)", slice: "svc\(i)-a", ips: ["10.0.\(i).7"])
        }
        for i in 0..<5 {
            try await Self.apply(server, backends, "books/svc\(i)", slice: "svc\(i)-a", ips: ["10.1.\(i).\(i + 10)"])
        }
        for i in stride(from: 2, to: 40, by: 5) {
            try await Self.delete(server, backends, "shop/svc\(i)", slice: "svc\(i)-a")
        }
        try await Self.delete(server, backends, "books/svc4", slice: "svc4-a")
        try await backends.waitAllRight()
        #expect(backends.neverMixed(prefixes))
        #expect(try await server.openWatchDetails().count <= 4)
        #expect(try await server.requests().filter { $0.query["watch"] == nil }.count == 4, "no relist")
    }

    @Test("a late backend is served from the cache; the last backend of a namespace closes its watches")
    func subscribeAndUnsubscribe() async throws {
        let server = try await KubeAPIServer()
        let backends = Backends()
        var prefixes: [String: String] = [:]
        try await Self.populate(server, backends, namespace: "shop", index: 0, count: 10, prefixes: &prefixes)
        try await Self.populate(server, backends, namespace: "books", index: 1, count: 3, prefixes: &prefixes)
        let discovery = try Self.start(server)
        let shop = (0..<9).map { "shop/svc\($0)" }
        Self.follow(discovery, backends, shop + ["books/svc0"])
        try await backends.waitAllRight()
        #expect(try await eventually { try await server.openWatchDetails().count == 4 })
        let requestsBefore = try await server.requests().count

        // A new backend of a namespace already listed: its snapshot comes from the cache, without a request.
        Self.follow(discovery, backends, ["shop/svc9"])
        try await backends.waitAllRight()
        #expect(try await server.requests().count == requestsBefore)

        // The shop backends leave one by one; the watches stay until the last has gone.
        for key in shop + ["shop/svc9"] {
            #expect(try await server.openWatchDetails().filter { $0.namespace == "shop" }.count == 2)
            backends.collectors.removeValue(forKey: key)?.stop()
        }
        #expect(try await eventually { try await server.openWatchDetails().allSatisfy { $0.namespace == "books" } })
        #expect(try await eventually { discovery.statistics.watchesOpen == 2 })
        #expect(try await server.openWatchDetails().count == 2)
        try await Self.apply(server, backends, "books/svc0", slice: "svc0-b", ips: ["10.1.0.5"])
        try await backends.waitAllRight()

        // Following shop again opens its watches again and lists it afresh.
        Self.follow(discovery, backends, ["shop/svc3"])
        try await backends.waitAllRight()
        #expect(try await eventually { try await server.openWatchDetails().count == 4 })
    }

    @Test("a 410 relist of the shared watch keeps every backend's endpoints right", arguments: ["event", "status"])
    func relist(mode: String) async throws {
        let server = try await KubeAPIServer()
        let backends = Backends()
        var prefixes: [String: String] = [:]
        try await Self.populate(server, backends, namespace: "shop", index: 0, count: 20, prefixes: &prefixes)
        let discovery = try Self.start(server)
        Self.follow(discovery, backends, backends.slices.keys.sorted())
        try await backends.waitAllRight()
        #expect(try await eventually { try await server.openWatchDetails().count == 2 })

        // Changes lost in the compacted history: only the relist reveals them.
        for i in stride(from: 0, to: 20, by: 4) {
            try await server.delete(kind: "EndpointSlice", "svc\(i)-a", silent: true)
            backends.slices["shop/svc\(i)"]?["svc\(i)-a"] = nil
        }
        var silent: [[String: Any]] = []
        for i in stride(from: 1, to: 20, by: 4) {
            silent.append(
                KubeAPIServer.slice("svc\(i)-a", service: "svc\(i)", endpoints: [TestEndpoint(ip: "10.0.\(i).9")]))
            backends.slices["shop/svc\(i)"]?["svc\(i)-a"] = ["10.0.\(i).9"]
        }
        for object in silent { try await server.command(["op": "apply", "object": object, "silent": true]) }
        try await server.command(["op": "expire", "mode": mode])
        if mode == "status" { try await server.command(["op": "drop"]) }
        try await backends.waitAllRight()
        #expect(discovery.statistics.relists >= 1)
        #expect(backends.neverMixed(prefixes))

        // Events flow again after the relist.
        try await Self.apply(server, backends, "shop/svc2", slice: "svc2-a", ips: ["10.0.2.20"])
        try await backends.waitAllRight()
        #expect(try await eventually { try await server.openWatchDetails().count == 2 })
    }

    @Test("watchScope cluster: two watches for every namespace, filtered locally")
    func clusterScope() async throws {
        let server = try await KubeAPIServer()
        let backends = Backends()
        var prefixes: [String: String] = [:]
        try await Self.populate(server, backends, namespace: "shop", index: 0, count: 6, prefixes: &prefixes)
        try await Self.populate(server, backends, namespace: "books", index: 1, count: 6, prefixes: &prefixes)
        try await Self.populate(server, backends, namespace: "ignored", index: 2, count: 2, prefixes: &prefixes)
        let discovery = try Self.start(server, scope: .cluster)
        let followed = backends.slices.keys.filter { !$0.hasPrefix("ignored/") }.sorted()
        backends.slices = backends.slices.filter { followed.contains($0.key) }
        Self.follow(discovery, backends, followed)
        try await backends.waitAllRight()
        #expect(try await eventually { try await server.openWatchDetails().count == 2 })
        #expect(
            Set(try await server.openWatchDetails())
                == [
                    .init(resource: "endpointslices", namespace: nil, labelSelector: "kubernetes.io/service-name"),
                    .init(resource: "services", namespace: nil),
                ])
        #expect(
            Set(try await server.requests().map(\.path)) == [
                "/apis/discovery.k8s.io/v1/endpointslices", "/api/v1/services",
            ])
        try await Self.apply(server, backends, "books/svc1", slice: "svc1-b", ips: ["10.1.1.8"])
        try await Self.delete(server, backends, "shop/svc1", slice: "svc1-a")
        try await server.applySlice(
            "svc1-a", service: "svc1", namespace: "ignored", endpoints: [TestEndpoint(ip: "10.2.1.9")])
        try await backends.waitAllRight()
        #expect(backends.neverMixed(prefixes))
    }

    @Test("legacy mode shares one Endpoints watch per namespace")
    func legacy() async throws {
        let server = try await KubeAPIServer()
        for i in 0..<8 {
            try await server.applyService("svc\(i)")
            try await server.applyEndpoints("svc\(i)", ips: ["10.0.\(i).1"], port: ("grpc", 9000))
        }
        let discovery = try KubernetesDiscovery(
            config: KubernetesDiscoveryTests.config(kubeconfig: try server.kubeconfig(), legacy: true))
        let collectors = (0..<8).map { i in
            SnapshotCollector(
                discovery.watch(
                    KubernetesServiceRef(service: "svc\(i)", namespace: "shop", port: .name("grpc")), backend: "svc\(i)"
                ))
        }
        for (i, collector) in collectors.enumerated() {
            try await collector.wait { $0.addresses == ["10.0.\(i).1:9000"] }
        }
        try await server.applyEndpoints("svc5", ips: ["10.0.5.2", "10.0.5.3"], port: ("grpc", 9000))
        try await collectors[5].wait { $0.addresses == ["10.0.5.2:9000", "10.0.5.3:9000"] }
        #expect(try await eventually { try await server.openWatchDetails().count == 2 })
        #expect(Set(try await server.openWatchDetails().map(\.resource)) == ["endpoints", "services"])
        #expect(
            collectors.enumerated().allSatisfy { i, c in
                c.all.allSatisfy { $0.endpoints.allSatisfy { $0.host.hasPrefix("10.0.\(i).") } }
            })
    }
}
