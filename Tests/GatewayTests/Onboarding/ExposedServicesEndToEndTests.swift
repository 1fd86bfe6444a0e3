import DemoServices
import Discovery
import Foundation
import Gateway
import PorticoTestSupport
import Testing

/// Zero-config onboarding against the test Kubernetes API server: annotating a Service and starting a pod with
/// gRPC server reflection is all it takes to be served as JSON, described by /openapi.json.
@Suite("Services exposed by annotation, end to end")
struct ExposedServicesEndToEndTests {
    typealias Pods = ReflectionBackendEndToEndTests

    static let expose = ["portico.io/expose": "true"]

    /// Points the Service `name` of namespace `shop` at the pods listening on 127.0.0.1 at `port`.
    static func publish(_ server: KubeAPIServer, service name: String, port: Int, pod: String) async throws {
        try await server.applySlice(
            "\(name)-slice", service: name, ports: ["grpc": port], endpoints: [TestEndpoint(ip: "127.0.0.1", pod: pod)])
    }

    @Test("an annotated Service is served from its pods' reflection, follows a rollout, and leaves with its annotation")
    func annotateServeRollOutRemove() async throws {
        let server = try await KubeAPIServer()
        let kubeconfig = try server.kubeconfig()
        try await withGateway(echo: 0, library: 0, configure: { config in
            config.backends = []
            config.kubernetes.kubeconfig = kubeconfig
            config.exposedServices = .init(
                scope: .namespaces(["shop"]),
                reflection: .init(refreshInterval: .seconds(4), timeout: .seconds(5), maxMessageBytes: 16 << 20))
            config.lifecycle.readyRequiresEndpoints = false
        }) { gateway in
            let client = gateway.client()
            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            #expect(try await client.send("GET", "/v1/notes/x").status == 404)

            // A team ships a service with reflection and annotates its Service: nothing else.
            let (v1, v1Port) = try await Pods.startPod("onboarding/v1/notes.pb", version: "v1")
            defer { v1.stop() }
            try await server.applyService("notes", ports: [("grpc", 80)], annotations: Self.expose)
            try await Self.publish(server, service: "notes", port: v1Port, pod: "notes-v1")
            let note = try await Pods.poll(client, "GET", "/v1/notes/groceries") { $0["version"] as? String == "v1" }
            #expect(note.status == 200, "\(note)")
            #expect(try note.json["name"] as? String == "groceries")
            let routes = try await admin.send("GET", "/routes").json["routes"] as? [[String: Any]] ?? []
            #expect(routes.first?["backend"] as? String == "shop/notes")
            let document = try await admin.send("GET", "/openapi.json?backend=shop%2Fnotes")
            #expect(document.status == 200)
            #expect((try document.json["paths"] as? [String: Any])?["/v1/notes/{name}"] != nil, "\(document)")

            // A new version rolls out: its pod replaces the old one in the EndpointSlice.
            let (v2, v2Port) = try await Pods.startPod("onboarding/v2/notes.pb", version: "v2")
            defer { v2.stop() }
            try await Self.publish(server, service: "notes", port: v2Port, pod: "notes-v2")
            let created = try await Pods.poll(client, "POST", "/v1/notes", body: #"{"name":"todo","text":"call"}"#) {
                $0["version"] as? String == "v2"
            }
            #expect(created.status == 200, "\(created)")

            // Another team's Service claims one of those routes: the one served first keeps it.
            let (rival, rivalPort) = try await Pods.startPod("onboarding/rival/rival.pb", version: "rival")
            defer { rival.stop() }
            try await server.applyService("rival", ports: [("grpc", 80)], annotations: Self.expose)
            try await Self.publish(server, service: "rival", port: rivalPort, pod: "rival")
            let memo = try await Pods.poll(client, "GET", "/v1/memos/m") { $0["version"] as? String == "rival" }
            #expect(memo.status == 200, "\(memo)")
            #expect(try await client.send("GET", "/v1/notes/x").json["version"] as? String == "v2")
            let leftOut = try await admin.send("GET", "/routes").json["leftOut"] as? [[String: Any]] ?? []
            #expect(leftOut.map { $0["backend"] as? String } == ["shop/rival"])
            #expect(leftOut.first?["keptBackend"] as? String == "shop/notes")

            // The annotation goes: notes is no longer served, and its route passes to the rival, next in line.
            try await server.applyService("notes", ports: [("grpc", 80)], annotations: [:])
            let passed = try await Pods.poll(client, "GET", "/v1/notes/x") { $0["version"] as? String == "rival" }
            #expect(passed.status == 200, "\(passed)")
            #expect(try await client.send("POST", "/v1/notes", body: "{}").status == 404)
            let afterRemoval = try await admin.send("GET", "/routes").json
            #expect((afterRemoval["leftOut"] as? [Any])?.isEmpty == true)
            #expect(
                (afterRemoval["routes"] as? [[String: Any]])?.allSatisfy { $0["backend"] as? String == "shop/rival" }
                    == true)

            // The Service is deleted: nothing of it is left.
            try await server.delete(kind: "Service", "rival")
            let gone = try await Pods.poll(client, "GET", "/v1/memos/m", status: 404) { _ in true }
            #expect(gone.status == 404)
            let endpoints = try await admin.send("GET", "/endpoints").json["backends"] as? [[String: Any]] ?? []
            #expect(endpoints.isEmpty)
        }
    }

    @Test("/openapi.json describes a discovered backend validly, and schemathesis finds no 5xx through it")
    func openAPIOfDiscoveredBackend() async throws {
        let server = try await KubeAPIServer()
        let (pod, port) = try await Pods.startPod("onboarding/v2/notes.pb", version: "v2")
        defer { pod.stop() }
        try await server.applyService("notes", ports: [("grpc", 80)], annotations: Self.expose)
        try await Self.publish(server, service: "notes", port: port, pod: "notes")
        let kubeconfig = try server.kubeconfig()
        try await withGateway(echo: 0, library: 0, configure: { config in
            config.backends = []
            config.kubernetes.kubeconfig = kubeconfig
            config.exposedServices = .init(scope: .all)
        }) { gateway in
            #expect(try await Pods.poll(gateway.client(), "GET", "/v1/notes/x").status == 200)
            let ready = try await CurlClient(baseURL: "http://\(gateway.adminAddress)").send("GET", "/readyz")
            #expect(ready.status == 200, "\(ready)")
            let output = try await HelperProcess.run(
                "/usr/bin/env",
                [
                    "python3", Pods.helpers.appendingPathComponent("check_openapi.py").path,
                    "http://\(gateway.adminAddress)", gateway.baseURL, "--backend", "shop/notes", "--examples", "10",
                    "--max-time", "20",
                ],
                timeout: 180)
            let text = output.standardOutput + output.standardError
            #expect(output.status == 0, "\(text)")
            #expect(text.contains("openapi-spec-validator accepts the document"), "\(text)")
            #expect(text.contains("check_openapi: ") && text.contains(" 0 failed"), "\(text)")
        }
    }

    @Test("a request in flight when its Service stops being exposed finishes; the next one finds no route")
    func removalLetsRequestsInFlightFinish() async throws {
        let server = try await KubeAPIServer()
        let pod = try await DemoBackend.start(kind: .echo, name: "echo-exposed")
        let kubeconfig = try server.kubeconfig()
        do {
            try await server.applyService("echo", ports: [("grpc", 80)], annotations: Self.expose)
            try await Self.publish(server, service: "echo", port: pod.port, pod: "echo-exposed")
            try await withGateway(echo: 0, library: 0, configure: { config in
                config.backends = []
                config.kubernetes.kubeconfig = kubeconfig
                config.exposedServices = .init(scope: .namespaces(["shop"]))
            }) { gateway in
                let client = gateway.client()
                #expect(try await Pods.poll(client, "GET", "/v1/echo/hi").status == 200)
                let slow = Task {
                    // Slow enough to outlast the removal on a loaded machine (3 s did not, once, in CI).
                    let reply = try await client.send(
                        "POST", "/v1/echo", body: #"{"message":"slow","delayMs":20000}"#, timeout: 90)
                    return (reply, ContinuousClock.now)
                }
                try await Task.sleep(for: .milliseconds(500))
                try await server.applyService("echo", ports: [("grpc", 80)], annotations: [:])
                let gone = try await Pods.poll(client, "GET", "/v1/echo/hi", status: 404) { _ in true }
                let goneAt = ContinuousClock.now
                #expect(gone.status == 404)
                let (reply, answeredAt) = try await slow.value
                #expect(goneAt < answeredAt, "the route was gone while the request was in flight")
                #expect(reply.status == 200, "\(reply)")
                #expect(try reply.json["message"] as? String == "slow")
            }
        } catch {
            await pod.stop(gracePeriod: .seconds(1))
            throw error
        }
        await pod.stop(gracePeriod: .seconds(1))
    }
}
