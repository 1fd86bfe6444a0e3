import Discovery
import Logging
import PorticoTestSupport
import Testing

/// The real API server speaks HTTP/2 over TLS (ALPN): discovery against the test server in that mode.
@Suite("Kubernetes discovery over HTTP/2")
struct HTTP2DiscoveryTests {
    @Test("libcurl here speaks HTTP/2")
    func supported() {
        #expect(KubernetesDiscovery.supportsHTTP2)
    }

    @Test("discovery works end to end over HTTP/2, every list and watch a stream of one connection")
    func endToEnd() async throws {
        let server = try await KubeAPIServer(http2: true)
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let (_, snapshots, _) = try KubernetesDiscoveryTests.start(server)
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
        #expect(try await eventually { try await server.openWatches().count == 2 })
        try await server.applySlice(
            "library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1"), TestEndpoint(ip: "10.0.0.2")])
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000", "10.0.0.2:9000"] }
        let requests = try await server.requests()
        #expect(requests.count == 4)
        #expect(requests.allSatisfy { $0.httpVersion == "HTTP/2" })
        #expect(Set(requests.map(\.connection)).count == 1, "both watches multiplexed on one connection")
    }

    @Test("over HTTP/2 a reset watch resumes from its version, bookmarks count, and 410 Gone relists")
    func faults() async throws {
        let server = try await KubeAPIServer(http2: true)
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        try await server.applySlice("library-b", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.2")])
        let (discovery, snapshots, _) = try KubernetesDiscoveryTests.start(server)
        try await snapshots.wait { $0.endpoints.count == 2 }
        #expect(try await eventually { try await server.openWatches().count == 2 })
        func sliceWatches() async throws -> [KubeAPIServer.Request] {
            try await server.requests().filter { $0.path.hasSuffix("endpointslices") && $0.query["watch"] == "1" }
        }

        // A reset stream may lose what the server wrote just before it: the event is seen first, then reset.
        let changed = try await server.applySlice(
            "library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.3")])
        try await snapshots.wait { $0.addresses == ["10.0.0.2:9000", "10.0.0.3:9000"] }
        try await server.command(["op": "drop"])  // RST_STREAM on every watch
        #expect(try await eventually { try await sliceWatches().count == 2 })
        #expect(try await sliceWatches().last?.query["resourceVersion"] == String(changed))

        #expect(try await eventually { try await server.openWatches().count == 2 })
        let version = try await server.applySlice("other", service: "other", endpoints: [TestEndpoint(ip: "10.9.9.9")])
        try await server.command(["op": "bookmark"])
        try await server.command(["op": "end"])  // the bookmark, then END_STREAM
        #expect(try await eventually { try await sliceWatches().count == 3 })
        #expect(try await sliceWatches().last?.query["resourceVersion"] == String(version))
        #expect(try await KubernetesDiscoveryTests.listCount(server) == 1)

        #expect(try await eventually { try await server.openWatches().count == 2 })
        try await server.delete(kind: "EndpointSlice", "library-b", silent: true)
        try await server.command(["op": "expire", "mode": "event"])
        try await snapshots.wait { $0.addresses == ["10.0.0.3:9000"] }
        #expect(try await KubernetesDiscoveryTests.listCount(server) == 2)
        #expect(discovery.statistics.relists >= 1)
        #expect(try await server.requests().allSatisfy { $0.httpVersion == "HTTP/2" })
    }

    @Test("over HTTP/2 a wrong bearer token gets 401s and no snapshot")
    func rejected() async throws {
        let server = try await KubeAPIServer(http2: true)
        try await server.applyService("library")
        let (logger, logs) = CapturingLogHandler.logger()
        let discovery = try KubernetesDiscovery(
            config: KubernetesDiscoveryTests.config(kubeconfig: try server.kubeconfig(token: "wrong")), logger: logger)
        let snapshots = SnapshotCollector(discovery.watch(KubernetesDiscoveryTests.library, backend: "library"))
        #expect(try await eventually { logs.messages(atLeast: .warning).filter { $0 == "list failed" }.count >= 2 })
        #expect(snapshots.all.isEmpty)
        let requests = try await server.requests()
        #expect(requests.allSatisfy { $0.status == 401 && $0.httpVersion == "HTTP/2" })
    }
}
