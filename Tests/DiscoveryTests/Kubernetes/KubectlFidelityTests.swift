import Foundation
import PorticoTestSupport
import Synchronization
import Testing

/// The test API server is only worth something if it speaks the real protocol: the real kubectl, pointed
/// at it through a kubeconfig, lists and watches its EndpointSlices and Services.
@Suite("The test API server satisfies kubectl")
struct KubectlFidelityTests {
    /// Runs kubectl against the server, off the cooperative pool (kubectl takes seconds on a busy machine).
    static func kubectl(_ server: KubeAPIServer, _ arguments: [String]) async throws -> (Int32, String, String) {
        let kubeconfig = try server.kubeconfig()
        let output = try await HelperProcess.run(
            "/usr/bin/env", ["HOME=\(server.directory)", "kubectl", "--kubeconfig", kubeconfig] + arguments,
            timeout: 60)
        return (output.status, output.standardOutput, output.standardError)
    }

    @Test("kubectl get endpointslices -o json lists what the server holds")
    func list() async throws {
        let server = try await KubeAPIServer()
        try await server.applySlice(
            "library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1", pod: "p1")])
        try await server.applySlice("library-b", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.2")])
        try await server.applyService("library", annotations: ["portico.io/balancer": "ewma"])
        let (status, output, errors) = try await Self.kubectl(
            server, ["get", "endpointslices", "-n", "shop", "-o", "json"])
        #expect(status == 0, "\(errors)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let items = try #require(list["items"] as? [[String: Any]])
        let names = items.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
        #expect(names == ["library-a", "library-b"])
        let endpoints = items.first?["endpoints"] as? [[String: Any]]
        #expect(endpoints?.first?["addresses"] as? [String] == ["10.0.0.1"])

        let (serviceStatus, serviceOutput, _) = try await Self.kubectl(
            server,
            ["get", "service", "library", "-n", "shop", "-o", "jsonpath={.metadata.annotations.portico\\.io/balancer}"])
        #expect(serviceStatus == 0)
        #expect(serviceOutput == "ewma")
    }

    @Test("kubectl get --watch sees the initial list and then the changes streamed by the watch")
    func watch() async throws {
        let server = try await KubeAPIServer()
        try await server.applySlice("library-a", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.1")])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "timeout", "60", "kubectl", "--kubeconfig", try server.kubeconfig(), "get", "endpointslices", "-n", "shop",
            "--watch", "-o", "name",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = server.directory
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let lines = LineCollector()
        output.fileHandleForReading.readabilityHandler = { lines.append($0.availableData) }
        try ProcessLaunch.run(process)
        defer {
            process.terminate()
            output.fileHandleForReading.readabilityHandler = nil
        }
        #expect(try await eventually { try await server.openWatches() == ["endpointslices"] })
        try await server.applySlice("library-b", service: "library", endpoints: [TestEndpoint(ip: "10.0.0.2")])
        try await server.delete(kind: "EndpointSlice", "library-a")
        let expected = [
            "endpointslice.discovery.k8s.io/library-a", "endpointslice.discovery.k8s.io/library-b",
            "endpointslice.discovery.k8s.io/library-a",
        ]
        #expect(try await eventually { lines.lines.count >= 3 })
        #expect(lines.lines == expected)
        let watch = try await server.requests().first { $0.query["watch"] != nil }
        #expect(watch?.query["resourceVersion"] == "101")
    }

    final class LineCollector: Sendable {
        private let text = Mutex("")

        func append(_ data: Data) { text.withLock { $0 += String(decoding: data, as: UTF8.self) } }

        var lines: [String] { text.withLock { $0.split(separator: "\n").map(String.init) } }
    }

    @Test("kubectl with a wrong token is refused with 401")
    func unauthorized() async throws {
        let server = try await KubeAPIServer()
        try await server.command(["op": "token", "token": "something-else"])
        let (status, _, errors) = try await Self.kubectl(server, ["get", "endpointslices", "-n", "shop"])
        #expect(status != 0)
        #expect(errors.contains("Unauthorized") || errors.contains("provide credentials"), "\(errors)")
    }
}
