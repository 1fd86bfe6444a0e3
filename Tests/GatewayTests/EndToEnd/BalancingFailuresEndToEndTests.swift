import Balancer
import DemoServices
import Foundation
import GRPCNIOTransportHTTP2
import GRPCCore
import Gateway
import PorticoTestSupport
import Testing

/// Backends that crash, come back on the same address, or fail fast: Python grpcio echo servers in their
/// own processes.
@Suite("Balancing around failing backends")
struct BalancingFailuresEndToEndTests {
    /// Starts a Python echo backend; `port` 0 picks a free one.
    static func startPython(
        name: String, port: Int = 0, alwaysFailCode: Int = 0
    ) async throws -> (process: HelperProcess, port: Int) {
        let (process, line) = try await HelperProcess.startPrintingReadyLine(
            "/usr/bin/env",
            [
                "python3", FailoverEndToEndTests.pythonBackend, DemoBackend.descriptorSetURL(for: .echo).path, name, "0",
                String(port), String(alwaysFailCode),
            ])
        return (process, try #require(Int(line), "the backend printed \(line.debugDescription)"))
    }

    /// Runs `body` with a gateway whose `echo` backend is the Python processes on `ports`.
    static func withPythonGateway(
        ports: [Int], balancing: GatewayConfig.Balancing = .defaults, _ body: (GatewayHarness) async throws -> Void
    ) async throws {
        try await withGateway(echo: 0, library: 0, configure: { config in
            config.backends = [
                GatewayConfig.Backend(
                    name: "echo", descriptorFiles: [DemoBackend.descriptorSetURL(for: .echo).path],
                    endpoints: ports.map { SocketAddressText(host: "127.0.0.1", port: $0) }, balancing: balancing)
            ]
        }, body)
    }

    @Test("with every backend down each request is 503 at once; a backend restarted on its address serves again within seconds")
    func restartedOnSameAddress() async throws {
        var backend = try await Self.startPython(name: "py-1")
        defer { backend.process.kill() }
        try await Self.withPythonGateway(ports: [backend.port]) { gateway in
            let client = gateway.client()
            #expect(try await client.send("POST", "/v1/echo", body: "{}").status == 200)
            backend.process.stop()
            let downDeadline = ContinuousClock.now + .seconds(5)
            var reply = try await client.send("POST", "/v1/echo", body: "{}")
            while reply.status != 503 && ContinuousClock.now < downDeadline {
                reply = try await client.send("POST", "/v1/echo", body: "{}")
            }
            #expect(reply.status == 503, "\(reply)")
            for _ in 0..<3 {
                let started = ContinuousClock.now
                #expect(try await client.send("POST", "/v1/echo", body: "{}").status == 503)
                // Under the 5 s connect timeout a waiting gateway would take, with room for a loaded machine.
                #expect(ContinuousClock.now - started < .milliseconds(4500), "refused at once, not after a timeout")
            }
            backend = try await Self.startPython(name: "py-1-again", port: backend.port)
            // Reconnects back off to at most 5 s (jittered by 20 %), so the backend serves again within 7 s.
            let upDeadline = ContinuousClock.now + .seconds(7)
            reply = try await client.send("POST", "/v1/echo", body: "{}")
            while reply.status != 200 && ContinuousClock.now < upDeadline {
                try await Task.sleep(for: .milliseconds(50))
                reply = try await client.send("POST", "/v1/echo", body: "{}")
            }
            #expect(reply.status == 200, "\(reply)")
            #expect(try reply.json["servedBy"] as? String == "py-1-again")
        }
    }

    @Test("a backend that fails fast is ejected; with retryOn unavailable at least 99.9 % of requests succeed")
    func failFastEjected() async throws {
        let healthy = [try await Self.startPython(name: "py-1"), try await Self.startPython(name: "py-2")]
        let failing = try await Self.startPython(name: "py-bad", alwaysFailCode: 14)
        defer { for backend in healthy + [failing] { backend.process.kill() } }
        var balancing = GatewayConfig.Balancing.defaults
        balancing.retryUnavailable = true
        try await Self.withPythonGateway(ports: (healthy + [failing]).map(\.port), balancing: balancing) { gateway in
            let client = gateway.client()
            var statuses: [Int] = []
            for _ in 0..<200 {
                statuses.append(try await client.send("POST", "/v1/echo", body: #"{"message":"x"}"#).status)
            }
            let succeeded = statuses.filter { $0 == 200 }.count
            #expect(Double(succeeded) / Double(statuses.count) >= 0.999, "\(statuses.filter { $0 != 200 })")
            let balancer = try #require(gateway.server.routes.routes.first?.target.backend.balancer)
            let status = balancer.status()
            #expect(status.ejectionsEnforced >= 1)
            let bad = try #require(status.endpoints.first { $0.endpoint.port == failing.port })
            #expect(bad.ejectedUntil != nil)
        }
    }

    @Test("native gRPC: with retryOn: [unavailable], a pod's UNAVAILABLE refusals are retried on another pod")
    func nativeRetryOnUnavailable() async throws {
        let healthy = try await Self.startPython(name: "py-1")
        let failing = try await Self.startPython(name: "py-bad", alwaysFailCode: 14)
        defer { for backend in [healthy, failing] { backend.process.kill() } }
        var balancing = GatewayConfig.Balancing.defaults
        balancing.retryUnavailable = true
        balancing.balancer.ejection.consecutiveFailures = 0
        try await Self.withPythonGateway(ports: [healthy.port, failing.port], balancing: balancing) { gateway in
            try await withGRPCClient(
                transport: .http2NIOPosix(
                    target: .ipv4(address: gateway.address.host, port: gateway.address.port),
                    transportSecurity: .plaintext)
            ) { client in
                let echo = Portico_Demo_Echo_V1_EchoService.Client(wrapping: client)
                var servedBy: [String] = []
                for _ in 0..<20 {
                    var request = Portico_Demo_Echo_V1_EchoRequest()
                    request.message = "native"
                    servedBy.append(try await echo.echo(request).servedBy)
                }
                // Ejection is off, so round-robin keeps sending every other call to py-bad: each of those is
                // refused and retried on py-1, and the client never sees the refusal.
                #expect(Set(servedBy) == ["py-1"])
            }
            let balancer = try #require(gateway.server.backends.first?.balancer)
            #expect(balancer.status().endpoints.contains { $0.endpoint.port == failing.port })
        }
    }
}
