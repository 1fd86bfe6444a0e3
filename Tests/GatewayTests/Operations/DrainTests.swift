import DemoServices
import Foundation
import Gateway
import NIOCore
import NIOPosix
import PorticoTestSupport
import Testing

@Suite("Graceful drain on SIGTERM")
struct DrainTests {
    static let slowEcho = #"{"message":"slow","delayMs":1500}"#

    @Test("the real portico binary, sent SIGTERM under load, fails /readyz, finishes every request and exits 0")
    func sigtermUnderLoad() async throws {
        let backend = try await DemoBackend.start(kind: .echo, name: "echo-1")
        defer { Task { await backend.stop(gracePeriod: .seconds(1)) } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portico-drain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let configFile = folder.appendingPathComponent("portico.yaml").path
        try """
            listen: 127.0.0.1:0
            admin: 127.0.0.1:0
            eventLoops: 2
            lifecycle:
              shutdownDelay: 500ms
              drainTimeout: 20s
            backends:
              - name: echo
                descriptors: [\(DemoBackend.descriptorSetURL(for: .echo).path)]
                endpoints: [\(backend.host):\(backend.port)]
            """.write(toFile: configFile, atomically: true, encoding: .utf8)
        let portico = try PorticoProcess(config: configFile)
        let (port, adminPort) = try await portico.boundPorts()
        let admin = CurlClient(baseURL: "http://127.0.0.1:\(adminPort)")
        let ready = await eventually { (try? await admin.send("GET", "/readyz"))?.status == 200 }
        try #require(ready, "portico never became ready: \(portico.log)")

        let gatewayURL = "http://127.0.0.1:\(port)"
        let requests = (0..<6).map { index in
            Task {
                try await CurlClient(baseURL: gatewayURL, version: index.isMultiple(of: 2) ? .http1 : .h2c)
                    .send("POST", "/v1/echo", body: Self.slowEcho)
            }
        }
        // Wait until every request is with the backend, as the balancer counts them.
        try #require(await Self.eventuallyInFlight(6, admin: admin), "the requests never were all in flight")
        portico.send(SIGTERM)
        let notReady = await eventually(timeout: .seconds(2)) {
            (try? await admin.send("GET", "/readyz"))?.status == 503
        }
        #expect(notReady, "/readyz did not fail during the shutdown delay")

        for request in requests {
            let reply = try await request.value
            #expect(reply.status == 200, "\(reply)")
        }
        let status = await portico.waitForExit()
        #expect(status == 0, "\(portico.log)")
        #expect(portico.log.contains("drained"), "\(portico.log)")
        await #expect(throws: CurlClient.Failure.self) {
            try await CurlClient(baseURL: gatewayURL).send("POST", "/v1/echo", body: "{}")
        }
    }

    @Test("in process: a keep-alive HTTP/1.1 connection gets Connection: close and the listener closes")
    func keepAliveGetsClose() async throws {
        try await withGateway(echo: 1, library: 0, configure: { config in
            config.lifecycle.shutdownDelay = .zero
            config.lifecycle.drainTimeout = .seconds(10)
        }) { gateway in
            // The backend holds the reply long enough for the drain to reach the connection first, even on a
            // machine loaded by the whole suite running in parallel.
            let body = #"{"message":"slow","delayMs":8000}"#
            let request = "POST /v1/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                + "content-length: \(body.utf8.count)\r\n\r\n\(body)"
            let (host, port, server) = (gateway.address.host, gateway.address.port, gateway.server)
            let exchange = Task { try await RawHTTPClient.exchange(Array(request.utf8), host: host, port: port) }
            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            try #require(await Self.eventuallyInFlight(1, admin: admin))
            let started = ContinuousClock.now
            let draining = Task { await server.drain() }
            let listenerClosed = await eventually {
                let probe = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: host, port: port).get()
                try? await probe?.close()
                return probe == nil
            }
            try #require(listenerClosed, "the listener never closed")
            // The drain tells the open connections right after it closes the listener: the premise of the test
            // is that the call is still with the backend then.
            try #require(await Self.eventuallyInFlight(1, admin: admin), "the call finished before the drain began")
            // Without the drain the keep-alive connection would stay open until the client's 30 s timeout.
            let reply = try await exchange.value
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
            #expect(reply.lowercased().contains("connection: close"), "\(reply)")
            await draining.value
            #expect(gateway.server.openConnections == 0)
            #expect(try await admin.send("GET", "/readyz").status == 503)
        }
    }

    /// Polls `/endpoints` until the first backend has `count` requests in flight.
    static func eventuallyInFlight(_ count: Int, admin: CurlClient) async -> Bool {
        await eventually {
            let reply = try? await admin.send("GET", "/endpoints")
            let backends = (try? reply?.json["backends"]) as? [[String: Any]]
            return backends?.first?["inFlight"] as? Int == count
        }
    }
}
