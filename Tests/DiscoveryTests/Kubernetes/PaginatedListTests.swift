import Discovery
import PorticoTestSupport
import Testing

/// Lists in pages (`limit` and `continue`), over HTTP/1.1 and HTTP/2.
@Suite("Kubernetes discovery lists in pages")
struct PaginatedListTests {
    static func start(
        _ server: KubeAPIServer, pageSize: Int
    ) throws -> (KubernetesDiscovery, SnapshotCollector) {
        var config = KubernetesDiscoveryTests.config(kubeconfig: try server.kubeconfig())
        config.listPageSize = pageSize
        config.listTimeout = .seconds(30)
        let discovery = try KubernetesDiscovery(config: config)
        return (discovery, SnapshotCollector(discovery.watch(KubernetesDiscoveryTests.library, backend: "library")))
    }

    /// Slice `i` holds the one endpoint `10.(i / 250).(i % 250).1`.
    static func applySlices(_ server: KubeAPIServer, count: Int) async throws -> Set<String> {
        var addresses: Set<String> = []
        for index in 0..<count {
            let ip = "10.\(index / 250).\(index % 250).1"
            try await server.applySlice("library-\(index)", service: "library", endpoints: [TestEndpoint(ip: ip)])
            addresses.insert("\(ip):9000")
        }
        return addresses
    }

    static func sliceLists(_ server: KubeAPIServer) async throws -> [KubeAPIServer.Request] {
        try await server.requests().filter { $0.path.hasSuffix("endpointslices") && $0.query["watch"] == nil }
    }

    @Test(
        "a Service with 1,200 EndpointSlices is listed in pages of 500 and yields exactly their union",
        arguments: [false, true])
    func pages(http2: Bool) async throws {
        let server = try await KubeAPIServer(http2: http2)
        try await server.applyService("library")
        try await server.applySlice("other", service: "other", endpoints: [TestEndpoint(ip: "10.99.0.1")])
        let expected = try await Self.applySlices(server, count: 1200)
        let (_, snapshots) = try Self.start(server, pageSize: 500)
        let snapshot = try await snapshots.wait { $0.endpoints.count >= 1200 }
        #expect(Set(snapshot.addresses) == expected)
        #expect(snapshot.endpoints.count == 1200)
        let lists = try await Self.sliceLists(server)
        #expect(lists.count == 3)
        #expect(lists.allSatisfy { $0.query["limit"] == "500" && $0.status == 200 })
        #expect(lists.map { $0.query["continue"] == nil } == [true, false, false])
        #expect(try await server.requests().allSatisfy { $0.httpVersion == (http2 ? "HTTP/2" : "HTTP/1.1") })
    }

    @Test("a continue token that expires mid-list (410 Gone) relists everything in one request")
    func expiredContinue() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        let expected = try await Self.applySlices(server, count: 120)
        try await server.command(["op": "expireContinue", "after": 1])
        let (_, snapshots) = try Self.start(server, pageSize: 50)
        let snapshot = try await snapshots.wait { $0.endpoints.count >= 120 }
        #expect(Set(snapshot.addresses) == expected)
        let lists = try await Self.sliceLists(server)
        #expect(lists.map(\.status) == [200, 410, 200])
        #expect(lists[1].query["continue"] != nil)
        #expect(lists[2].query["limit"] == nil && lists[2].query["continue"] == nil)
    }

    @Test("listPageSize 0 lists in one request without a limit")
    func unpaginated() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        let expected = try await Self.applySlices(server, count: 30)
        let (_, snapshots) = try Self.start(server, pageSize: 0)
        let snapshot = try await snapshots.wait { $0.endpoints.count >= 30 }
        #expect(Set(snapshot.addresses) == expected)
        let lists = try await Self.sliceLists(server)
        #expect(lists.count == 1)
        #expect(lists.first?.query["limit"] == nil)
    }
}
