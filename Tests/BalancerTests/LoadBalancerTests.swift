import Balancer
import Testing

@Suite("LoadBalancer, round-robin and in-flight accounting")
struct LoadBalancerTests {
    let a = EndpointAddress(host: "10.0.0.1", port: 50051)
    let b = EndpointAddress(host: "10.0.0.2", port: 50051)
    let c = EndpointAddress(host: "10.0.0.3", port: 50051)

    @Test("the strategies are named as in the configuration")
    func strategyNames() {
        #expect(BalancingStrategy.allCases.map(\.rawValue) == ["round-robin", "least-outstanding", "ewma"])
        #expect(BalancingStrategy(rawValue: "ewma") == .ewma)
    }

    @Test("round-robin takes every usable endpoint in turn")
    func takesTurns() {
        let balancer = makeBalancer(.roundRobin, endpoints: [a, b, c])
        let picks = (0..<6).map { _ in balancer.pickAny()?.endpoint }
        #expect(picks == [a, b, c, a, b, c])
    }

    @Test("round-robin skips endpoints that are not usable")
    func skipsUnusable() {
        let balancer = makeBalancer(.roundRobin, endpoints: [a, b, c])
        let picks = (0..<4).map { _ in balancer.pick { $0 != b }?.endpoint }
        #expect(picks == [a, c, a, c])
    }

    @Test("returns nil when nothing is usable or the list is empty", arguments: BalancingStrategy.allCases)
    func nothingUsable(strategy: BalancingStrategy) {
        let balancer = makeBalancer(strategy, endpoints: [])
        #expect(balancer.pickAny() == nil)
        balancer.update(endpoints: [a, b])
        #expect(balancer.pick { _ in false } == nil)
        #expect(balancer.status().inFlight == 0)
    }

    @Test("drops duplicate endpoints and keeps turning after an update")
    func updates() {
        let balancer = makeBalancer(.roundRobin, endpoints: [a, a, b])
        #expect(balancer.endpoints == [a, b])
        _ = balancer.pickAny()
        balancer.update(endpoints: [c])
        #expect(balancer.pickAny()?.endpoint == c)
        #expect(balancer.pickAny()?.endpoint == c)
    }

    @Test("a pick counts in flight until its ticket is completed")
    func countsInFlight() throws {
        let balancer = makeBalancer(.roundRobin, endpoints: [a, b])
        let first = try #require(balancer.pickAny())
        let second = try #require(balancer.pickAny())
        #expect(balancer.status(of: a)?.inFlight == 1)
        #expect(balancer.status().inFlight == 2)
        balancer.complete(first.ticket, outcome: .success(latency: .milliseconds(5)))
        balancer.complete(second.ticket, outcome: .cancelled)
        #expect(balancer.status().inFlight == 0)
        balancer.complete(first.ticket, outcome: .success(latency: .milliseconds(5)))
        #expect(balancer.status(of: a)?.inFlight == 0, "a second completion is ignored")
    }

    @Test("in-flight counts survive an endpoint's removal and return")
    func inFlightAcrossUpdates() {
        let balancer = makeBalancer(.roundRobin, endpoints: [a, b])
        let tickets = balancer.hold(a, count: 2)
        balancer.update(endpoints: [b])
        #expect(balancer.status().endpoints.map(\.endpoint) == [b])
        #expect(balancer.status().inFlight == 2)
        #expect(balancer.pickAny()?.endpoint == b, "a removed endpoint gets no picks")

        balancer.update(endpoints: [b, a])
        #expect(balancer.status(of: a)?.inFlight == 2)
        balancer.complete(tickets[0], outcome: .success(latency: .milliseconds(1)))
        #expect(balancer.status(of: a)?.inFlight == 1)
        balancer.update(endpoints: [a, c])
        #expect(balancer.status(of: a)?.inFlight == 1)
        balancer.complete(tickets[1], outcome: .success(latency: .milliseconds(1)))
        #expect(balancer.status(of: a)?.inFlight == 0)
    }

    @Test("completing the ticket of a removed endpoint is harmless")
    func completeRemoved() throws {
        let balancer = makeBalancer(.leastOutstanding, endpoints: [a, b])
        let ticket = try #require(balancer.hold(a, count: 1).first)
        balancer.update(endpoints: [b])
        balancer.complete(ticket, outcome: .unavailable)
        #expect(balancer.status().inFlight == 0)
        balancer.complete(ticket, outcome: .unavailable)
        #expect(balancer.status().inFlight == 0)

        balancer.update(endpoints: [a, b])
        let status = try #require(balancer.status(of: a))
        #expect(status.inFlight == 0)
        #expect(status.consecutiveFailures == 0, "an endpoint that left with nothing in flight comes back afresh")
    }

    @Test("switching strategy keeps in-flight counts, and the new strategy uses them")
    func inFlightAcrossStrategySwitch() {
        let random = ScriptedRandom()
        let balancer = makeBalancer(.roundRobin, endpoints: [a, b], random: random)
        _ = balancer.hold(a, count: 3)
        balancer.setStrategy(.leastOutstanding)
        #expect(balancer.strategy == .leastOutstanding)
        #expect(balancer.status(of: a)?.inFlight == 3)
        random.queue(0, 0)  // draws a, then b
        #expect(balancer.pickAny()?.endpoint == b)
        balancer.setStrategy(.ewma)
        #expect(balancer.status().inFlight == 4)
    }
}
