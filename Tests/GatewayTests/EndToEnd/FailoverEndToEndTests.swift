import Balancer
import DemoServices
import Foundation
import Gateway
import PorticoTestSupport
import Testing

/// Backends that crash for real: Python grpcio echo servers in their own processes, killed with SIGKILL.
@Suite("Backends that die")
struct FailoverEndToEndTests {
    static let pythonBackend = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("helpers/demo_echo_backend.py").path

    /// Starts `count` Python echo backends named `py-1`, … and returns them with their ports.
    /// - Parameter extraDelays: Milliseconds each backend adds to every call, by index (default none).
    static func startPythonBackends(
        _ count: Int, extraDelays: [Int] = []
    ) async throws -> [(process: HelperProcess, port: Int)] {
        var backends: [(process: HelperProcess, port: Int)] = []
        for index in 1...count {
            let delay = extraDelays.indices.contains(index - 1) ? extraDelays[index - 1] : 0
            let (process, line) = try await HelperProcess.startPrintingReadyLine(
                "/usr/bin/env",
                ["python3", pythonBackend, DemoBackend.descriptorSetURL(for: .echo).path, "py-\(index)", String(delay)])
            backends.append((process, try #require(Int(line), "the backend printed \(line.debugDescription)")))
        }
        return backends
    }

    /// Runs `body` with a gateway whose echo backend is the given Python processes.
    static func withPythonGateway(
        _ backends: [(process: HelperProcess, port: Int)], balancer: BalancingStrategy = .roundRobin,
        timeouts: Duration? = nil, _ body: (GatewayHarness) async throws -> Void
    ) async throws {
        try await withGateway(echo: 0, library: 0, configure: { config in
            var backend = GatewayConfig.Backend(
                name: "echo", descriptorFiles: [DemoBackend.descriptorSetURL(for: .echo).path],
                endpoints: backends.map { SocketAddressText(host: "127.0.0.1", port: $0.port) },
                balancer: balancer)
            if let timeouts {
                backend.timeout = timeouts
                backend.connectTimeout = timeouts
            }
            config.backends = [backend]
        }, body)
    }

    @Test("with the ewma balancer, a backend 100 ms slower than its peer gets almost no requests")
    func ewmaAvoidsSlowBackend() async throws {
        let backends = try await Self.startPythonBackends(2, extraDelays: [100, 0])
        defer { for backend in backends { backend.process.kill() } }
        try await Self.withPythonGateway(backends, balancer: .ewma) { gateway in
            var servedBy: [String] = []
            for _ in 0..<20 {
                let reply = try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"x"}"#)
                #expect(reply.status == 200, "\(reply)")
                servedBy.append(try reply.json["servedBy"] as? String ?? "")
            }
            // Round-robin would send 10 to each; EWMA learns from the first slow reply.
            let fast = servedBy.filter { $0 == "py-2" }.count
            #expect(fast >= 17, "\(servedBy)")
        }
    }

    @Test("a backend killed mid-run: requests go on to the other instance without errors")
    func backendKilled() async throws {
        let backends = try await Self.startPythonBackends(2)
        defer { for backend in backends { backend.process.kill() } }
        try await Self.withPythonGateway(backends) { gateway in
            let client = gateway.client()
            var before: Set<String> = []
            for _ in 0..<4 {
                let reply = try await client.send("POST", "/v1/echo", body: #"{"message":"before"}"#)
                #expect(reply.status == 200, "\(reply)")
                before.insert(try reply.json["servedBy"] as? String ?? "")
            }
            #expect(before == ["py-1", "py-2"])
            backends[0].process.stop()
            // A request the gateway wrote to py-1's connection before it saw the connection die was in flight
            // there and may fail (whether py-1 processed it is unknowable, so it is not retried); every
            // request after that must be served by py-2.
            var replies: [HTTPReply] = []
            for _ in 0..<10 {
                replies.append(try await client.send("POST", "/v1/echo", body: #"{"message":"after"}"#))
            }
            #expect(replies.dropFirst().allSatisfy { $0.status == 200 }, "\(replies)")
            #expect(replies.filter { $0.status != 200 }.allSatisfy { $0.status == 503 }, "\(replies)")
            let servedBy = try replies.filter { $0.status == 200 }.map { try $0.json["servedBy"] as? String ?? "" }
            #expect(Set(servedBy) == ["py-2"])
        }
    }

    @Test("with every backend gone, requests are 503 at once, not after a timeout")
    func allBackendsDown() async throws {
        let backends = try await Self.startPythonBackends(1)
        defer { for backend in backends { backend.process.kill() } }
        // Calls that waited for a pod would take the 20 s timeouts; the bound below leaves a loaded machine room.
        try await Self.withPythonGateway(backends, timeouts: .seconds(20)) { gateway in
            let client = gateway.client()
            #expect(try await client.send("POST", "/v1/echo", body: "{}").status == 200)
            backends[0].process.stop()
            // The first call may still find the dying connection; once it is down the answer is immediate.
            let deadline = ContinuousClock.now + .seconds(5)
            var last = try await client.send("POST", "/v1/echo", body: "{}")
            while last.status != 503 && ContinuousClock.now < deadline {
                last = try await client.send("POST", "/v1/echo", body: "{}")
            }
            #expect(last.status == 503, "\(last)")
            #expect(try last.json["code"] as? Int == 14)
            let started = ContinuousClock.now
            let reply = try await client.send("POST", "/v1/echo", body: "{}")
            #expect(reply.status == 503)
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }
}
