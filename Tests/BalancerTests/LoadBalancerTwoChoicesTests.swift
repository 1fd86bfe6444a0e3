import Balancer
import Testing

@Suite("LoadBalancer, least-outstanding (power of two choices)")
struct LoadBalancerTwoChoicesTests {
    let all = endpoints(4)
    var a: EndpointAddress { all[0] }
    var b: EndpointAddress { all[1] }
    var c: EndpointAddress { all[2] }
    var d: EndpointAddress { all[3] }

    @Test("of the two sampled endpoints, picks the one with fewer requests in flight")
    func picksLessLoaded() {
        let random = ScriptedRandom()
        let balancer = makeBalancer(.leastOutstanding, endpoints: all, random: random)
        _ = balancer.hold(a, count: 3)
        _ = balancer.hold(b, count: 1)

        random.queue(0, 0)  // a, then b
        #expect(balancer.pickAny()?.endpoint == b)
        random.queue(1, 0)  // b (2 in flight now), then a
        #expect(balancer.pickAny()?.endpoint == b)
        random.queue(0, 1)  // a, then c
        #expect(balancer.pickAny()?.endpoint == c)
        random.queue(3, 0)  // d, then a
        #expect(balancer.pickAny()?.endpoint == d)
        random.queue(2, 2)  // c (1), then d (1): a tie goes to the first draw
        #expect(balancer.pickAny()?.endpoint == c)
        #expect(random.isDrained)
    }

    @Test("the two sampled endpoints are distinct")
    func distinctSamples() {
        let random = ScriptedRandom()
        let balancer = makeBalancer(.leastOutstanding, endpoints: [a, b], random: random)
        _ = balancer.hold(a, count: 1)
        random.queue(0, 0)  // a, then the only other one: b
        #expect(balancer.pickAny()?.endpoint == b)
        _ = balancer.hold(b, count: 1)
        random.queue(1, 1)  // b (2 in flight), then the only other one: a (1)
        #expect(balancer.pickAny()?.endpoint == a)
    }

    @Test(
        "with one usable endpoint, picks it whatever its load", arguments: [BalancingStrategy.leastOutstanding, .ewma])
    func oneUsable(strategy: BalancingStrategy) {
        let balancer = makeBalancer(strategy, endpoints: all)
        _ = balancer.hold(c, count: 50)
        for _ in 0..<20 {
            #expect(balancer.pick { $0 == c }?.endpoint == c)
        }
        let single = makeBalancer(strategy, endpoints: [d])
        _ = single.hold(d, count: 5)
        #expect(single.pickAny()?.endpoint == d)
    }

    @Test("a sampled endpoint that is not usable is replaced by another draw")
    func redrawsUnusable() {
        let random = ScriptedRandom()
        let balancer = makeBalancer(.leastOutstanding, endpoints: all, random: random)
        _ = balancer.hold(c, count: 2)
        random.queue(0, 0, 2)  // a (unusable), b (unusable), then c
        random.queue(3)  // then d
        #expect(balancer.pick { $0 != a && $0 != b }?.endpoint == d)
        #expect(random.isDrained)
    }

    @Test("finds the usable endpoints by a scan when draws keep missing", arguments: [4, 1000])
    func scansWhenFewUsable(count: Int) {
        let many = endpoints(count)
        let balancer = makeBalancer(.leastOutstanding, endpoints: many, random: ScriptedRandom())
        let usable: Set = [many[count - 1], many[count / 2]]
        var seen: Set<EndpointAddress> = []
        for _ in 0..<200 {
            guard let pick = balancer.pick(where: { usable.contains($0) }) else {
                Issue.record("no pick")
                return
            }
            seen.insert(pick.endpoint)
            balancer.complete(pick.ticket, outcome: .cancelled)
        }
        #expect(seen == usable)
    }

    /// Sends one request per millisecond for 20 s to 4 endpoints, one of which takes 10× longer to answer, and
    /// returns the share of requests each endpoint got.
    func shares(_ strategy: BalancingStrategy) -> [Double] {
        let clock = ManualClock()
        let balancer = makeBalancer(
            strategy, endpoints: all, clock: clock, random: ScriptedRandom())
        let latencies: [Int] = [5, 5, 5, 50]  // milliseconds
        var due: [Int: [Pick.Ticket]] = [:]
        var counts = [0, 0, 0, 0]
        let steps = 20_000
        for step in 0..<steps {
            for ticket in due.removeValue(forKey: step) ?? [] {
                let index = all.firstIndex(of: ticket.endpoint)!
                balancer.complete(ticket, outcome: .success(latency: .milliseconds(latencies[index])))
            }
            guard let pick = balancer.pickAny() else { continue }
            let index = all.firstIndex(of: pick.endpoint)!
            counts[index] += 1
            due[step + latencies[index], default: []].append(pick.ticket)
            clock.advance(by: .milliseconds(1))
        }
        return counts.map { Double($0) / Double(steps) }
    }

    @Test("under load, a slow endpoint gets a smaller share than round-robin gives it")
    func skewsAwayFromSlowEndpoint() {
        let roundRobin = shares(.roundRobin)
        let leastOutstanding = shares(.leastOutstanding)
        let ewma = shares(.ewma)
        #expect(roundRobin.allSatisfy { abs($0 - 0.25) < 0.001 })
        #expect(leastOutstanding[3] < 0.10, "least-outstanding: \(leastOutstanding)")
        #expect(ewma[3] < 0.01, "ewma: \(ewma)")
        for fast in 0..<3 {
            #expect(leastOutstanding[fast] > 0.30)
            #expect(ewma[fast] > 0.3)
        }
    }
}
