import DemoServices
import Foundation
import Gateway
import Logging
import PorticoTestSupport
import Synchronization
import Testing

@Suite("Hot reload of the config and descriptors")
struct ReloadTests {
    static func backend(_ kind: DemoBackend.Kind, _ running: RunningDemoBackend, descriptor: String? = nil) -> GatewayConfig.Backend {
        GatewayConfig.Backend(
            name: kind.rawValue, descriptorFiles: [descriptor ?? DemoBackend.descriptorSetURL(for: kind).path],
            endpoints: [SocketAddressText(host: running.host, port: running.port)])
    }

    @Test("a reload adding a backend adds its routes; a request in flight across the swap finishes")
    func reloadAddsRoutes() async throws {
        try await withGateway(echo: 1, library: 1, configure: { config in
            config.backends.removeAll { $0.name == "library" }
        }) { gateway in
            let client = gateway.client()
            #expect(try await client.send("GET", "/v1/shelves").status == 404)
            let inFlight = Task {
                try await client.send("POST", "/v1/echo", body: #"{"message":"across","delayMs":700}"#)
            }
            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            try #require(await DrainTests.eventuallyInFlight(1, admin: admin))
            var config = gateway.server.config
            config.backends.append(Self.backend(.library, gateway.backend(named: "library-1")))
            try await gateway.server.reload(config: config)
            #expect(try await client.send("GET", "/v1/shelves").status == 200)
            #expect(try await client.send("POST", "/v1/echo", body: #"{"message":"after"}"#).status == 200)
            let reply = try await inFlight.value
            #expect(reply.status == 200, "\(reply)")
            #expect(try reply.json["message"] as? String == "across")
            let metrics = PrometheusText(try await admin.send("GET", "/metrics").body)
            #expect(metrics.value("portico_config_reloads_total", ["result": "success"]) == 2)
        }
    }

    @Test("requests sent without a pause across three reloads all succeed")
    func reloadUnderLoad() async throws {
        try await withGateway(echo: 2, library: 0) { gateway in
            let client = gateway.client()
            // The senders go on until the reloads are done, and make 5 requests each at least.
            let reloadsDone = Signal()
            let senders = (0..<4).map { sender in
                Task {
                    var statuses: [Int] = []
                    while !reloadsDone.isRaised || statuses.count < 5 {
                        statuses.append(try await client.send("GET", "/v1/echo/load-\(sender)-\(statuses.count)").status)
                    }
                    return statuses
                }
            }
            for _ in 0..<3 {
                try await Task.sleep(for: .milliseconds(300))
                try await gateway.server.reload(config: gateway.server.config)
            }
            try await Task.sleep(for: .milliseconds(300))
            reloadsDone.raise()
            var statuses: [Int] = []
            for sender in senders { statuses += try await sender.value }
            #expect(statuses.count >= 20)
            #expect(statuses.allSatisfy { $0 == 200 }, "statuses: \(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
            let metrics = PrometheusText(try await CurlClient(baseURL: "http://\(gateway.adminAddress)").send("GET", "/metrics").body)
            #expect(metrics.value("portico_config_reloads_total", ["result": "success"]) == 4)
        }
    }

    @Test("a broken config is rejected and counted; the old routes stay")
    func brokenConfigKeepsRoutes() async throws {
        try await withGateway(echo: 1, library: 0) { gateway in
            var broken = gateway.server.config
            broken.backends[0].descriptorFiles = ["/nonexistent/portico-test.pb"]
            await #expect(throws: ConfigError.self) { try await gateway.server.reload(config: broken) }
            #expect(try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"still"}"#).status == 200)
            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            let metrics = PrometheusText(try await admin.send("GET", "/metrics").body)
            #expect(metrics.value("portico_config_reloads_total", ["result": "failure"]) == 1)
            #expect(metrics.value("portico_config_reloads_total", ["result": "success"]) == 1)
        }
    }

    @Test("a changed descriptor file is noticed and reloaded: its new routes serve, without a signal")
    func descriptorChangeIsWatched() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portico-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let descriptor = folder.appendingPathComponent("api.pb")
        try FileManager.default.copyItem(at: DemoBackend.descriptorSetURL(for: .echo), to: descriptor)
        let library = try await DemoBackend.start(kind: .library, name: "library-1")
        defer { Task { await library.stop(gracePeriod: .seconds(1)) } }
        let configFile = folder.appendingPathComponent("portico.yaml")
        try """
            listen: 127.0.0.1:0
            admin: 127.0.0.1:0
            eventLoops: 1
            lifecycle:
              watchInterval: 100ms
            backends:
              - name: api
                descriptors: [api.pb]
                endpoints: [\(library.host):\(library.port)]
            """.write(to: configFile, atomically: true, encoding: .utf8)
        let server = try GatewayServer(config: try GatewayConfig.load(file: configFile.path), logger: Logger(label: "test"))
        let bound = try await server.start()
        let watcher = ConfigReloader(server: server, configFile: configFile.path, logger: Logger(label: "test"))
        let reloader = Task { try await watcher.run() }
        let client = CurlClient(baseURL: "http://\(bound.gateway)")
        #expect(try await client.send("GET", "/v1/shelves").status == 404)
        try FileManager.default.removeItem(at: descriptor)
        try FileManager.default.copyItem(at: DemoBackend.descriptorSetURL(for: .library), to: descriptor)
        let reloaded = await eventually { (try? await client.send("GET", "/v1/shelves"))?.status == 200 }
        #expect(reloaded)
        reloader.cancel()
        await server.stop()
    }

    @Test("the real portico binary reloads on SIGHUP, and keeps its routes when the new file is broken")
    func sighup() async throws {
        let echo = try await DemoBackend.start(kind: .echo, name: "echo-1")
        let library = try await DemoBackend.start(kind: .library, name: "library-1")
        defer {
            Task {
                await echo.stop(gracePeriod: .seconds(1))
                await library.stop(gracePeriod: .seconds(1))
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portico-hup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let configFile = folder.appendingPathComponent("portico.yaml").path
        let head = """
            listen: 127.0.0.1:0
            admin: 127.0.0.1:0
            eventLoops: 1
            lifecycle:
              shutdownDelay: 0s
              watchInterval: 0s
            backends:
              - name: echo
                descriptors: [\(DemoBackend.descriptorSetURL(for: .echo).path)]
                endpoints: [\(echo.host):\(echo.port)]

            """
        try head.write(toFile: configFile, atomically: true, encoding: .utf8)
        let portico = try PorticoProcess(config: configFile)
        let (port, adminPort) = try await portico.boundPorts()
        let admin = CurlClient(baseURL: "http://127.0.0.1:\(adminPort)")
        let client = CurlClient(baseURL: "http://127.0.0.1:\(port)")
        try #require(await eventually { (try? await admin.send("GET", "/readyz"))?.status == 200 }, "\(portico.log)")
        #expect(try await client.send("GET", "/v1/shelves").status == 404)

        try (head + """
              - name: library
                descriptors: [\(DemoBackend.descriptorSetURL(for: .library).path)]
                endpoints: [\(library.host):\(library.port)]

            """).write(toFile: configFile, atomically: true, encoding: .utf8)
        portico.send(SIGHUP)
        #expect(await eventually { (try? await client.send("GET", "/v1/shelves"))?.status == 200 }, "\(portico.log)")

        try (head + "  - name: [this is not a backend\n").write(toFile: configFile, atomically: true, encoding: .utf8)
        portico.send(SIGHUP)
        let rejected = await eventually {
            let text = (try? await admin.send("GET", "/metrics"))?.body ?? ""
            return PrometheusText(text).value("portico_config_reloads_total", ["result": "failure"]) == 1
        }
        #expect(rejected, "\(portico.log)")
        #expect(try await client.send("GET", "/v1/shelves").status == 200)
        #expect(try await client.send("POST", "/v1/echo", body: #"{"message":"x"}"#).status == 200)
        portico.send(SIGTERM)
        #expect(await portico.waitForExit() == 0)
    }
}

/// A flag one task raises and others read.
private final class Signal: Sendable {
    private let raised = Mutex(false)

    func raise() { raised.withLock { $0 = true } }
    var isRaised: Bool { raised.withLock { $0 } }
}
