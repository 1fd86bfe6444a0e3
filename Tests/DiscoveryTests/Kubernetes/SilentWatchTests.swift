import Discovery
import PorticoTestSupport
import Testing

/// A watch whose server stops sending (no event, no bookmark) while the connection stays open is noticed
/// after `watchIdleTimeout` and resumed; a quiet watch that receives bookmarks is left alone.
@Suite("Kubernetes discovery notices silent watches")
struct SilentWatchTests {
    @Test(
        "a silent watch is dropped after the idle bound and resumed from its version; later events arrive",
        arguments: [false, true])
    func silentWatch(http2: Bool) async throws {
        let server = try await KubeAPIServer(http2: http2)
        try await server.command(["op": "bookmarkEvery", "seconds": 0.2])
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        var config = KubernetesDiscoveryTests.config(kubeconfig: try server.kubeconfig())
        config.watchIdleTimeout = .seconds(2)
        let (logger, _) = CapturingLogHandler.logger()
        let discovery = try KubernetesDiscovery(config: config, logger: logger)
        let snapshots = SnapshotCollector(discovery.watch(KubernetesDiscoveryTests.library, backend: "library"))
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
        #expect(try await eventually { try await server.openWatches().count == 2 })
        func sliceWatches() async throws -> [KubeAPIServer.Request] {
            try await server.requests().filter { $0.path.hasSuffix("endpointslices") && $0.query["watch"] == "1" }
        }

        // Quiet but healthy: bookmarks every 0.2 s keep both watches open well past the 2 s bound (libcurl
        // measures the transfer speed once a second, so a bound of 1 s would be as coarse as its measure).
        let quiet = try await !eventually(timeout: .seconds(5)) { try await server.requests().count > 4 }
        let seen = try await server.requests().map { "\($0.path) \($0.query) \($0.status ?? 0)" }
        #expect(quiet, "\(seen)")
        #expect(try await sliceWatches().count == 1)

        try await server.command(["op": "silence"])
        let silenced = ContinuousClock.now
        let version = try await server.applySlice(
            "library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.2")])
        try await snapshots.wait { $0.addresses == ["10.0.0.2:9000"] }
        #expect(ContinuousClock.now - silenced < .seconds(12))
        let watches = try await sliceWatches()
        #expect(watches.count == 2)
        let resumedFrom = Int(watches.last?.query["resourceVersion"] ?? "") ?? 0
        #expect(resumedFrom > 0 && resumedFrom < version, "resumed from the last version seen, not relisted")
        #expect(try await KubernetesDiscoveryTests.listCount(server) == 1)
        // Both watches (EndpointSlices and the Service) went silent; the second may resume a moment later.
        #expect(try await eventually { discovery.statistics.watchRestarts >= 2 })
    }
}
