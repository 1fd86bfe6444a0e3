import Discovery
import Testing

@Suite("Endpoint snapshots and static discovery")
struct EndpointSnapshotTests {
    @Test("duplicates are dropped and the first one is kept")
    func duplicates() {
        let snapshot = EndpointSnapshot(
            backend: "b",
            endpoints: [
                DiscoveredEndpoint(host: "10.0.0.1", port: 80, podName: "a"),
                DiscoveredEndpoint(host: "10.0.0.1", port: 80, podName: "b"),
                DiscoveredEndpoint(host: "10.0.0.2", port: 80),
            ])
        #expect(snapshot.endpoints.map(\.podName) == ["a", nil])
    }

    @Test("terminating endpoints serve only when no endpoint is ready")
    func terminating() {
        let ready = DiscoveredEndpoint(host: "10.0.0.1", port: 80)
        let leaving = DiscoveredEndpoint(host: "10.0.0.2", port: 80, condition: .terminating)
        #expect(EndpointSnapshot(backend: "b", endpoints: [ready, leaving]).serving == [ready])
        #expect(EndpointSnapshot(backend: "b", endpoints: [leaving]).serving == [leaving])
        #expect(EndpointSnapshot(backend: "b", endpoints: []).serving.isEmpty)
    }

    @Test("static discovery publishes its one snapshot")
    func staticUpdates() async {
        let source = StaticEndpoints(backend: "echo", endpoints: [DiscoveredEndpoint(host: "::1", port: 5)])
        var iterator = source.updates.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first?.backend == "echo")
        #expect(first?.endpoints.map(\.description) == ["[::1]:5"])
    }
}
