import Balancer
import DemoServices
import Foundation
import Gateway
import PorticoTestSupport
import Synchronization
import Testing

/// What the balancer learns from how calls end, seen from outside: `/endpoints` after real failures.
@Suite("Call outcomes: connection failures and clients' deadlines never eject a pod")
struct CallOutcomeEndToEndTests {
    static func admin(_ gateway: GatewayHarness) -> CurlClient {
        CurlClient(baseURL: "http://\(gateway.adminAddress)")
    }

    /// The echo backend's endpoints as `/endpoints` shows them, once nothing is in flight (polled up to 5 s).
    static func settledEndpoints(_ gateway: GatewayHarness) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let reply = try await admin(gateway).send("GET", "/endpoints")
            let backends = try #require(try reply.json["backends"] as? [[String: Any]])
            let echo = try #require(backends.first { $0["name"] as? String == "echo" })
            let endpoints = try #require(echo["endpoints"] as? [[String: Any]])
            if echo["inFlight"] as? Int == 0 || ContinuousClock.now > deadline {
                #expect(echo["inFlight"] as? Int == 0, "in flight once load stopped: \(echo)")
                #expect(echo["activeRetries"] as? Int == 0, "\(echo)")
                return endpoints
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("a pod killed with SIGKILL under load and restarted on its port serves again within 5 s, never ejected")
    func restartedPodServesAgain() async throws {
        var backends = try await FailoverEndToEndTests.startPythonBackends(2)
        defer { for backend in backends { backend.process.kill() } }
        try await FailoverEndToEndTests.withPythonGateway(backends) { gateway in
            for _ in 0..<4 {
                #expect(try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"warm"}"#).status == 200)
            }
            let port = backends[0].port
            // Load from four clients while the pod dies and comes back.
            let stop = StopFlag()
            let baseURL = gateway.baseURL
            async let load: [Int] = withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var statuses: [Int] = []
                        let client = CurlClient(baseURL: baseURL)
                        // At least five calls each, however fast the pod comes back.
                        while !stop.isSet || statuses.count < 5 {
                            statuses.append(
                                try await client.send("POST", "/v1/echo", body: #"{"message":"load"}"#).status)
                        }
                        return statuses
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            try await Task.sleep(for: .milliseconds(200))
            backends[0].process.stop()
            let (restarted, line) = try await HelperProcess.startPrintingReadyLine(
                "/usr/bin/env",
                [
                    "python3", FailoverEndToEndTests.pythonBackend, DemoBackend.descriptorSetURL(for: .echo).path,
                    "py-restarted", "0", String(port),
                ])
            backends[0].process = restarted
            #expect(Int(line) == port)
            let restartedAt = ContinuousClock.now
            var servedAgain = false
            while !servedAgain && ContinuousClock.now - restartedAt < .seconds(5) {
                let reply = try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"probe"}"#)
                servedAgain = try reply.status == 200 && reply.json["servedBy"] as? String == "py-restarted"
            }
            stop.set()
            let statuses = try await load
            #expect(servedAgain, "the restarted pod got no call within 5 s")
            #expect(statuses.filter { $0 == 200 }.count > 10, "the other pod kept serving: \(statuses.count) calls")
            let endpoints = try await Self.settledEndpoints(gateway)
            for endpoint in endpoints {
                #expect(endpoint["timesEjected"] as? Int == 0, "\(endpoint)")
                #expect(endpoint["state"] as? String == "serving", "\(endpoint)")
                #expect(endpoint["connection"] as? String == "ready", "\(endpoint)")
            }
        }
    }

    @Test("a client's deadline shorter than the method leaves the pod's penalty and failure count untouched")
    func clientDeadlineBlamesNobody() async throws {
        try await withGateway(echo: 1, library: 0) { gateway in
            let client = gateway.client()
            for _ in 0..<6 {
                let reply = try await client.send(
                    "POST", "/v1/echo", body: #"{"message":"slow","delayMs":400}"#, headers: ["Grpc-Timeout": "50m"])
                #expect(reply.status == 504, "\(reply)")
            }
            let endpoints = try await Self.settledEndpoints(gateway)
            let pod = try #require(endpoints.first)
            #expect(pod["consecutiveFailures"] as? Int == 0, "\(pod)")
            #expect(pod["failurePenaltySeconds"] as? Double == 0, "\(pod)")
            #expect(pod["timesEjected"] as? Int == 0, "\(pod)")
            #expect(try await client.send("POST", "/v1/echo", body: #"{"message":"fast"}"#).status == 200)
        }
    }

    @Test(
        "a JSON client that goes away while its call waits on the backend cancels the call: nothing stays in flight",
        arguments: CurlClient.HTTPVersion.allCases)
    func clientGoneCancelsCall(version: CurlClient.HTTPVersion) async throws {
        try await withGateway(echo: 1, library: 0) { gateway in
            let gaveUp = try await HelperProcess.run(
                "/usr/bin/curl",
                [
                    "-sS", "--max-time", "0.3", version == .h2c ? "--http2-prior-knowledge" : "--http1.1",
                    "-H", "Content-Type: application/json", "--data-binary", #"{"message":"slow","delayMs":15000}"#,
                    gateway.baseURL + "/v1/echo",
                ])
            #expect(gaveUp.status == 28, "curl timed out: \(gaveUp.standardError)")
            // In flight drops to 0 within 5 s while the backend would hold the call for 15 s: it was cancelled.
            let endpoints = try await Self.settledEndpoints(gateway)
            #expect(endpoints.first?["consecutiveFailures"] as? Int == 0)
            #expect(
                try await gateway.client(version).send("POST", "/v1/echo", body: #"{"message":"next"}"#).status == 200)
        }
    }
}

/// A flag set once, read from any task.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
