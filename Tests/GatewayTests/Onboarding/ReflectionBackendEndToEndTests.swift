import DemoServices
import Discovery
import Foundation
import Gateway
import PorticoTestSupport
import Testing

/// Backends that ship no descriptors: `reflection: true`, against grpcio pods with server reflection started
/// after the gateway, rolled to a new version, hanging, and claiming each other's routes.
@Suite("Backends described by their pods' reflection, end to end")
struct ReflectionBackendEndToEndTests {
    static let helpers = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("helpers")

    /// The path of a test resource, e.g. `onboarding/v1/notes.pb`.
    static func resource(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources")).path
    }

    /// Starts `reflecting_backend.py` serving `descriptorSet`, answering with `version`; returns it and its port.
    static func startPod(_ descriptorSet: String, version: String) async throws -> (HelperProcess, Int) {
        let (helper, line) = try await HelperProcess.startPrintingReadyLine(
            "/usr/bin/env",
            ["python3", helpers.appendingPathComponent("reflecting_backend.py").path, try resource(descriptorSet),
             "--version", version])
        return (helper, try #require(Int(line), "the backend printed \(line.debugDescription)"))
    }

    /// A backend with `reflection`, its pods on 127.0.0.1 at `ports` (none: pods appear later, as discovery
    /// would publish them).
    static func reflectionBackend(_ name: String, ports: [Int], timeout: Duration = .seconds(5)) -> GatewayConfig.Backend {
        GatewayConfig.Backend(
            name: name, descriptorFiles: [], endpoints: ports.map { SocketAddressText(host: "127.0.0.1", port: $0) },
            reflection: .init(refreshInterval: .seconds(4), timeout: timeout, maxMessageBytes: 16 << 20))
    }

    /// Sends `method path` until the reply has `status` and `check` accepts its JSON (at most `attempts` tries,
    /// 0.25 s apart); returns the last reply.
    static func poll(
        _ client: CurlClient, _ method: String, _ path: String, body: String? = nil, status: Int = 200,
        attempts: Int = 240, check: ([String: Any]) -> Bool = { _ in true }
    ) async throws -> HTTPReply {
        var reply = try await client.send(method, path, body: body)
        for _ in 0..<attempts {
            if reply.status == status, let json = try? reply.json, check(json) { return reply }
            try await Task.sleep(for: .milliseconds(250))
            reply = try await client.send(method, path, body: body)
        }
        return reply
    }

    static func counter(_ name: String, _ labels: String, admin: CurlClient) async throws -> Double {
        let text = try await admin.send("GET", "/metrics").body
        let prefix = labels.isEmpty ? "\(name) " : "\(name){\(labels)} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) } ?? 0
    }

    /// Publishes `ports` as the pods of `backend`, as discovery would.
    static func podsChanged(_ gateway: GatewayHarness, backend: String, ports: [Int]) {
        gateway.server.apply(
            EndpointSnapshot(backend: backend, endpoints: ports.map { DiscoveredEndpoint(host: "127.0.0.1", port: $0) }))
    }

    @Test("a pod started after the gateway gets its routes; a new version rolled in adds one; other backends are untouched")
    func podAfterGatewayThenNewVersion() async throws {
        try await withGateway(echo: 1, library: 0, configure: { config in
            config.backends.append(Self.reflectionBackend("notes", ports: []))
        }) { gateway in
            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            let echoConnections = #"backend="echo""#
            #expect(try await gateway.client().send("GET", "/v1/echo/hi").status == 200)
            let opened = try await Self.counter("portico_upstream_connections_opened_total", echoConnections, admin: admin)
            for version in CurlClient.HTTPVersion.allCases {
                #expect(try await gateway.client(version).send("GET", "/v1/notes/groceries").status == 404)
            }
            let (v1, v1Port) = try await Self.startPod("onboarding/v1/notes.pb", version: "v1")
            defer { v1.stop() }
            Self.podsChanged(gateway, backend: "notes", ports: [v1Port])
            for version in CurlClient.HTTPVersion.allCases {
                let note = try await Self.poll(gateway.client(version), "GET", "/v1/notes/groceries") {
                    $0["name"] as? String == "groceries"
                }
                #expect(note.status == 200, "\(note)")
                #expect(try note.json["version"] as? String == "v1")
            }
            #expect(try await gateway.client().send("POST", "/v1/notes", body: #"{"name":"a"}"#).status == 404)

            let (v2, v2Port) = try await Self.startPod("onboarding/v2/notes.pb", version: "v2")
            defer { v2.stop() }
            Self.podsChanged(gateway, backend: "notes", ports: [v2Port])
            let created = try await Self.poll(
                gateway.client(.h2c), "POST", "/v1/notes", body: #"{"name":"todo","text":"call"}"#
            ) { $0["text"] as? String == "call" }
            #expect(created.status == 200, "\(created)")
            #expect(try created.json["version"] as? String == "v2")
            #expect(try created.json["name"] as? String == "todo")

            let routes = try await admin.send("GET", "/routes").json["routes"] as? [[String: Any]] ?? []
            #expect(
                Set(routes.filter { $0["backend"] as? String == "notes" }.compactMap { $0["grpcMethod"] as? String })
                    == ["notes.v1.Notes.GetNote", "notes.v1.Notes.CreateNote"])
            #expect(try await gateway.client().send("GET", "/v1/echo/hi").status == 200)
            #expect(
                try await Self.counter("portico_upstream_connections_opened_total", echoConnections, admin: admin)
                    == opened)
            let labels = #"backend="notes",result="updated""#
            #expect(try await Self.counter("portico_backend_schema_fetches_total", labels, admin: admin) == 2)
        }
    }

    @Test("a pod whose reflection hangs is given up after reflection.timeout; another pod's schema is served")
    func hangingPod() async throws {
        let events = FileManager.default.temporaryDirectory.appendingPathComponent("hang-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: events) }
        let (hanging, line) = try await HelperProcess.startPrintingReadyLine(
            "/usr/bin/env",
            ["python3", Self.helpers.appendingPathComponent("reflection_server.py").path,
             try Self.resource("onboarding/v1/notes.pb"), "--hang-reflection", "--events", events])
        defer { hanging.stop() }
        let hangingPort = try #require(Int(line))
        let (pod, port) = try await Self.startPod("onboarding/v1/notes.pb", version: "v1")
        defer { pod.stop() }
        try await withGateway(echo: 0, library: 0, configure: { config in
            config.backends = [Self.reflectionBackend("notes", ports: [hangingPort, port], timeout: .seconds(1))]
        }) { gateway in
            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            let failed = #"backend="notes",result="failed""#
            var failures = 0.0
            for _ in 0..<120 where failures == 0 {
                try await Task.sleep(for: .milliseconds(250))
                failures = try await Self.counter("portico_backend_schema_fetches_total", failed, admin: admin)
            }
            #expect(failures >= 1)
            let note = try await Self.poll(gateway.client(), "GET", "/v1/notes/x") { $0["name"] as? String == "x" }
            #expect(note.status == 200, "\(note)")
            var ended = false
            for _ in 0..<80 where !ended {
                ended = (try? String(contentsOfFile: events, encoding: .utf8))?.contains("reflection-ended") == true
                if !ended { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(ended, "the timed-out exchange's stream was closed")
        }
    }

    @Test("two backends claiming one route: the one served first keeps it, whatever the config order")
    func conflictFirstServedWins() async throws {
        let (notes, notesPort) = try await Self.startPod("onboarding/v1/notes.pb", version: "notes")
        defer { notes.stop() }
        try await withGateway(echo: 0, library: 0, configure: { config in
            config.backends = [
                Self.reflectionBackend("rival", ports: []), Self.reflectionBackend("notes", ports: [notesPort]),
            ]
            config.lifecycle.readyRequiresEndpoints = false
        }) { gateway in
            let client = gateway.client()
            #expect(try await Self.poll(client, "GET", "/v1/notes/x").status == 200)
            let (rival, rivalPort) = try await Self.startPod("onboarding/rival/rival.pb", version: "rival")
            defer { rival.stop() }
            Self.podsChanged(gateway, backend: "rival", ports: [rivalPort])
            let own = try await Self.poll(client, "GET", "/v1/memos/m") { $0["version"] as? String == "rival" }
            #expect(own.status == 200, "\(own)")
            let contested = try await client.send("GET", "/v1/notes/x")
            #expect(try contested.json["version"] as? String == "notes", "\(contested)")

            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            let document = try await admin.send("GET", "/routes").json
            let leftOut = try #require(document["leftOut"] as? [[String: Any]])
            #expect(leftOut.count == 1)
            #expect(leftOut.first?["grpcMethod"] as? String == "rival.v1.Memos.GetMemo")
            #expect(leftOut.first?["backend"] as? String == "rival")
            #expect(leftOut.first?["keptBackend"] as? String == "notes")
            #expect(leftOut.first?["path"] as? String == "/v1/notes/{name}")
            #expect(try await Self.counter("portico_route_conflicts", "", admin: admin) == 1)
        }
    }

    @Test("the demo's grpc-swift backends describe themselves: a reflection backend in front of them needs no descriptors")
    func demoBackendsDescribeThemselves() async throws {
        let library = try await DemoBackend.start(kind: .library, name: "library-reflected")
        let echo = try await DemoBackend.start(kind: .echo, name: "echo-reflected")
        do {
            try await withGateway(echo: 0, library: 0, configure: { config in
                config.backends = [
                    Self.reflectionBackend("library", ports: [library.port]),
                    Self.reflectionBackend("echo", ports: [echo.port]),
                ]
            }) { gateway in
                let shelves = try await Self.poll(gateway.client(), "GET", "/v1/shelves") { $0["shelves"] != nil }
                #expect(shelves.status == 200, "\(shelves)")
                let echoed = try await Self.poll(gateway.client(.h2c), "GET", "/v1/echo/hi") {
                    $0["servedBy"] as? String == "echo-reflected"
                }
                #expect(echoed.status == 200, "\(echoed)")
                let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
                let routes = try await admin.send("GET", "/routes").json["routes"] as? [[String: Any]] ?? []
                let fromFiles = try RouteListing(
                    config: GatewayConfig(backends: [
                        GatewayConfig.Backend(
                            name: "library", descriptorFiles: [DemoBackend.descriptorSetURL(for: .library).path],
                            endpoints: [SocketAddressText(host: "127.0.0.1", port: 1)])
                    ])
                ).text.split(separator: "\n").count - 1
                #expect(routes.filter { $0["backend"] as? String == "library" }.count == fromFiles)
            }
        } catch {
            await library.stop(gracePeriod: .seconds(1))
            await echo.stop(gracePeriod: .seconds(1))
            throw error
        }
        await library.stop(gracePeriod: .seconds(1))
        await echo.stop(gracePeriod: .seconds(1))
    }
}
