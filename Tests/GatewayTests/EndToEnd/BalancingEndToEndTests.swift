import Balancer
import DemoServices
import Discovery
import Foundation
import Gateway
import Synchronization
import PorticoTestSupport
import Testing

/// The in-process echo backends of a test, replaced as they restart.
final class EchoFleet: Sendable {
    let running: Mutex<[RunningDemoBackend]>

    init(_ backends: [RunningDemoBackend]) {
        running = Mutex(backends)
    }
}

/// Tells load loops to stop.
final class LoadSwitch: Sendable {
    private let on = Atomic(true)

    var isOn: Bool { on.load(ordering: .relaxed) }

    func turnOff() {
        on.store(false, ordering: .relaxed)
    }
}

/// The upstream pool against real grpc-swift-2 backends: GOAWAY, stream limits, endpoints that leave,
/// and restarts under load.
@Suite("Balancing over the HTTP/2 pool")
struct BalancingEndToEndTests {
    /// Runs `body` with a gateway whose `echo` backend is `count` in-process echo servers; every server
    /// still in the array when `body` returns is stopped gracefully.
    static func withEchoBackends(
        _ count: Int, maxConcurrentStreams: Int? = nil, configure: @escaping (inout GatewayConfig.Backend) -> Void = { _ in },
        _ body: (GatewayHarness, EchoFleet) async throws -> Void
    ) async throws {
        var started: [RunningDemoBackend] = []
        for index in 1...count {
            started.append(
                try await DemoBackend.start(kind: .echo, name: "echo-\(index)", maxConcurrentStreams: maxConcurrentStreams))
        }
        let backends = EchoFleet(started)
        do {
            try await withGateway(echo: 0, library: 0, configure: { config in
                var backend = GatewayConfig.Backend(
                    name: "echo", descriptorFiles: [DemoBackend.descriptorSetURL(for: .echo).path],
                    endpoints: started.map { SocketAddressText(host: $0.host, port: $0.port) })
                configure(&backend)
                config.backends = [backend]
            }) { gateway in try await body(gateway, backends) }
        } catch {
            for backend in backends.running.withLock({ $0 }) { await backend.stop(gracePeriod: .seconds(5)) }
            throw error
        }
        for backend in backends.running.withLock({ $0 }) { await backend.stop(gracePeriod: .seconds(5)) }
    }

    static func echo(_ client: CurlClient, delayMs: Int = 0) async throws -> HTTPReply {
        try await client.send("POST", "/v1/echo", body: #"{"message":"x","delayMs":\#(delayMs)}"#)
    }

    static func servedBy(_ reply: HTTPReply) -> String {
        (try? reply.json["servedBy"] as? String) ?? ""
    }

    /// Sends `count` requests at once and returns their replies.
    static func concurrent(_ count: Int, _ client: CurlClient, delayMs: Int) async throws -> [HTTPReply] {
        try await withThrowingTaskGroup(of: HTTPReply.self) { group in
            for _ in 0..<count { group.addTask { try await echo(client, delayMs: delayMs) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test("a backend that stops gracefully (GOAWAY) finishes its calls in flight and gets no new ones")
    func gracefulStop() async throws {
        try await Self.withEchoBackends(2) { gateway, backends in
            let client = gateway.client()
            let stopping = backends.running.withLock { $0.removeFirst() }
            let inFlight = Task { try await Self.concurrent(6, client, delayMs: 1500) }
            // Wait until the calls are in flight on both backends, then stop echo-1.
            let status = try #require(gateway.server.routes.routes.first?.target.backend.balancer)
            let deadline = ContinuousClock.now + .seconds(10)
            while status.status().inFlight < 6 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            await stopping.stop(gracePeriod: .seconds(10))
            let replies = try await inFlight.value
            #expect(replies.allSatisfy { $0.status == 200 }, "\(replies)")
            #expect(Set(replies.map(Self.servedBy)) == ["echo-1", "echo-2"])
            for _ in 0..<6 {
                let reply = try await Self.echo(client)
                #expect(reply.status == 200, "\(reply)")
                #expect(Self.servedBy(reply) == "echo-2")
            }
        }
    }

    @Test("a backend allowing one stream per connection serves concurrent calls on several connections")
    func maxConcurrentStreamsOne() async throws {
        try await Self.withEchoBackends(1, maxConcurrentStreams: 1) { gateway, _ in
            let replies = try await Self.concurrent(8, gateway.client(), delayMs: 300)
            #expect(replies.allSatisfy { $0.status == 200 }, "\(replies)")
            let counts = await gateway.server.upstreamConnectionCounts(backend: "echo")
            // Two event loops, four calls each at once, one stream per connection: more than one each.
            #expect(counts.values.reduce(0, +) > 2, "\(counts)")
            #expect(counts.values.allSatisfy { $0 <= 2 * 4 }, "\(counts)")
        }
    }

    @Test("an endpoint removed while calls are in flight gets no new calls; its calls in flight finish")
    func endpointRemoved() async throws {
        try await Self.withEchoBackends(2) { gateway, backends in
            let client = gateway.client()
            let kept = backends.running.withLock { $0[1] }
            let inFlight = Task { try await Self.concurrent(6, client, delayMs: 1000) }
            let balancer = try #require(gateway.server.routes.routes.first?.target.backend.balancer)
            let deadline = ContinuousClock.now + .seconds(10)
            while balancer.status().inFlight < 6 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            gateway.server.apply(
                EndpointSnapshot(backend: "echo", endpoints: [DiscoveredEndpoint(host: kept.host, port: kept.port)]))
            for _ in 0..<6 {
                let reply = try await Self.echo(client)
                #expect(reply.status == 200, "\(reply)")
                #expect(Self.servedBy(reply) == "echo-2")
            }
            let replies = try await inFlight.value
            #expect(replies.allSatisfy { $0.status == 200 }, "\(replies)")
            #expect(Set(replies.map(Self.servedBy)) == ["echo-1", "echo-2"])
            // Once its calls are done, the removed endpoint's connections close.
            let removed = EndpointAddress(host: "127.0.0.1", port: backends.running.withLock { $0[0].port })
            let closeDeadline = ContinuousClock.now + .seconds(10)
            var counts = await gateway.server.upstreamConnectionCounts(backend: "echo")
            while counts[removed] != nil && ContinuousClock.now < closeDeadline {
                try await Task.sleep(for: .milliseconds(50))
                counts = await gateway.server.upstreamConnectionCounts(backend: "echo")
            }
            #expect(counts[removed] == nil, "\(counts)")
        }
    }

    @Test("a removed endpoint's calls that outlast the drain timeout are cut")
    func drainTimeoutBounds() async throws {
        try await Self.withEchoBackends(1, configure: { $0.balancing.drainTimeout = .milliseconds(300) }) { gateway, _ in
            let client = gateway.client()
            let slow = Task { try await Self.echo(client, delayMs: 5000) }
            let balancer = try #require(gateway.server.routes.routes.first?.target.backend.balancer)
            let deadline = ContinuousClock.now + .seconds(10)
            while balancer.status().inFlight < 1 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            gateway.server.apply(EndpointSnapshot(backend: "echo", endpoints: []))
            let reply = try await slow.value
            #expect(reply.status == 503, "\(reply)")
        }
    }

    @Test("a rolling restart of every backend under load fails no request")
    func rollingRestart() async throws {
        try await Self.withEchoBackends(3) { gateway, backends in
            let client = gateway.client()
            let loadRuns = LoadSwitch()
            let load = Task {
                try await withThrowingTaskGroup(of: [HTTPReply].self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            var replies: [HTTPReply] = []
                            while loadRuns.isOn {
                                replies.append(try await Self.echo(client, delayMs: 20))
                            }
                            return replies
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
            }
            for index in 0..<3 {
                let old = backends.running.withLock { $0[index] }
                await old.stop(gracePeriod: .seconds(10))
                let new = try await DemoBackend.start(kind: .echo, name: "echo-\(index + 1)-new", port: old.port)
                backends.running.withLock { $0[index] = new }
                // Wait until the restarted backend serves through the gateway before restarting the next.
                let deadline = ContinuousClock.now + .seconds(10)
                var served = false
                while !served && ContinuousClock.now < deadline {
                    served = Self.servedBy(try await Self.echo(client)) == "echo-\(index + 1)-new"
                }
                #expect(served, "echo-\(index + 1) serves again after its restart")
            }
            loadRuns.turnOff()
            let replies = try await load.value
            #expect(replies.count > 20)
            #expect(replies.allSatisfy { $0.status == 200 }, "\(replies.filter { $0.status != 200 })")
        }
    }
}
