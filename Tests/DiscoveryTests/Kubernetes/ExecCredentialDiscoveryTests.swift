import Discovery
import Foundation
import Logging
import PorticoTestSupport
import Testing

/// Discovery with a kubeconfig whose user is an `exec` plugin, against the test API server.
@Suite("Kubernetes discovery with exec credential plugins")
struct ExecCredentialDiscoveryTests {
    static func start(
        _ server: KubeAPIServer, _ fixture: ExecPluginFixture
    ) throws -> (KubernetesDiscovery, SnapshotCollector, CapturingLogHandler.Store) {
        let (logger, logs) = CapturingLogHandler.logger()
        var config = KubernetesDiscoveryTests.config(kubeconfig: try server.kubeconfig(user: fixture.userYAML()))
        config.execTimeout = .seconds(60)
        let discovery = try KubernetesDiscovery(config: config, logger: logger)
        return (
            discovery, SnapshotCollector(discovery.watch(KubernetesDiscoveryTests.library, backend: "library")), logs
        )
    }

    @Test("the plugin's token authenticates; after a 401 the plugin runs again and the request is retried at once")
    func tokenRefreshedAfter401() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let fixture = try ExecPluginFixture()
        try fixture.reply(token: "initial-token")
        let (_, snapshots, logs) = try Self.start(server, fixture)
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
        #expect(fixture.runs.count == 1, "one run serves every request while the credential holds")
        #expect(try await eventually { try await server.openWatches().count == 2 })

        try fixture.reply(token: "rotated-token")
        try await server.command(["op": "token", "token": "rotated-token"])
        try await server.command(["op": "end"])
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.2")])
        try await snapshots.wait { $0.addresses == ["10.0.0.2:9000"] }
        #expect(fixture.runs.count == 2, "the two refused watches share one new run")
        // The Service's watch may still be waiting for the new run: poll until every 401 has its retry.
        var requests: [KubeAPIServer.Request] = []
        func refused() -> [Int] { requests.indices.filter { requests[$0].status == 401 } }
        func retried(_ index: Int) -> Bool {
            requests[(index + 1)...].first { $0.path == requests[index].path }?.status == 200
        }
        #expect(
            try await eventually {
                requests = try await server.requests()
                return !refused().isEmpty && refused().allSatisfy(retried)
            }, "each refused request was sent again at once and accepted")
        #expect((1...2).contains(refused().count), "at most one 401 per resumed watch")
        #expect(!logs.messages(atLeast: .warning).contains("watch failed"), "the retry hid the 401 from the watch")
    }

    @Test("a client certificate from the plugin authenticates")
    func clientCertificate() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        try await server.command(["op": "token", "token": "no bearer token is accepted"])
        let fixture = try ExecPluginFixture()
        try fixture.reply(
            certificate: try String(contentsOfFile: "\(server.directory)/client.crt", encoding: .utf8),
            key: try String(contentsOfFile: "\(server.directory)/client.key", encoding: .utf8))
        let (_, snapshots, _) = try Self.start(server, fixture)
        try await snapshots.wait { $0.addresses == ["10.0.0.1:9000"] }
    }

    @Test("a failing plugin is logged with its command and standard error, and no snapshot is published")
    func failingPlugin() async throws {
        let server = try await KubeAPIServer()
        try await server.applyService("library")
        let fixture = try ExecPluginFixture()
        try fixture.write("status", "1")
        try fixture.write("stderr", "no SSO session")
        let (discovery, snapshots, logs) = try Self.start(server, fixture)
        #expect(try await eventually { fixture.runs.count >= 2 }, "each attempt after a failure runs the plugin again")
        #expect(logs.messages(atLeast: .warning).filter { $0 == "list failed" }.count >= 2)
        #expect(snapshots.all.isEmpty)
        #expect(!discovery.isSynced)
        #expect(try await server.requests().isEmpty, "nothing is sent without a credential")
    }
}
