import Balancer
import Testing

@Suite("LoadBalancer, passive outlier ejection")
struct LoadBalancerEjectionTests {
    let all = endpoints(4)
    var a: EndpointAddress { all[0] }
    var b: EndpointAddress { all[1] }

    func remaining(_ balancer: LoadBalancer, _ endpoint: EndpointAddress, _ clock: ManualClock) -> Duration? {
        balancer.status(of: endpoint)?.ejectedUntil.map { clock.now.duration(to: $0) }
    }

    @Test("five gateway failures in a row eject an endpoint for 30 s", arguments: BalancingStrategy.allCases)
    func ejectsAfterFive(strategy: BalancingStrategy) {
        let clock = ManualClock()
        let balancer = makeBalancer(strategy, endpoints: all, clock: clock)
        balancer.fail(a, times: 5)
        #expect(remaining(balancer, a, clock) == .seconds(30))
        #expect(balancer.status(of: a)?.timesEjected == 1)
        #expect(balancer.status().ejectionsEnforced == 1)
        for _ in 0..<200 {
            let pick = balancer.pickAny()
            #expect(pick != nil && pick?.endpoint != a)
            if let pick { balancer.complete(pick.ticket, outcome: .success(latency: .milliseconds(1))) }
        }
    }

    @Test("four failures, or five interrupted by an answer, do not eject")
    func needsFiveInARow() {
        let balancer = makeBalancer(.roundRobin, endpoints: all)
        balancer.fail(a, times: 4)
        #expect(balancer.status(of: a)?.ejectedUntil == nil)
        #expect(balancer.status(of: a)?.consecutiveFailures == 4)
        balancer.fail(a, times: 1, with: .success(latency: .milliseconds(3)))
        balancer.fail(a, times: 4)
        balancer.fail(a, times: 1, with: .otherError(latency: .milliseconds(3)))
        balancer.fail(a, times: 4)
        #expect(balancer.status(of: a)?.ejectedUntil == nil)
        #expect(balancer.status().ejectionsEnforced == 0)

        balancer.fail(a, times: 1, with: .cancelled)
        balancer.fail(a, times: 1)
        #expect(balancer.status(of: a)?.ejectedUntil != nil, "a cancellation neither counts nor breaks the run")
    }

    @Test("the ejection time grows with each ejection and stops at 300 s")
    func ejectionTimeGrowsAndCaps() {
        let clock = ManualClock()
        let balancer = makeBalancer(.roundRobin, endpoints: all, clock: clock)
        var times: [Duration] = []
        for _ in 0..<12 {
            balancer.fail(a, times: 5)
            guard let left = remaining(balancer, a, clock) else {
                Issue.record("not ejected")
                return
            }
            times.append(left)
            clock.advance(by: left)
        }
        #expect(times == (1...12).map { .seconds(min(30 * $0, 300)) })
        #expect(balancer.status(of: a)?.timesEjected == 12)
    }

    @Test("the multiplier drops by one per 10 s spent un-ejected")
    func multiplierDecays() {
        let clock = ManualClock()
        let balancer = makeBalancer(.roundRobin, endpoints: all, clock: clock)
        for _ in 0..<3 {
            balancer.fail(a, times: 5)
            clock.advance(by: remaining(balancer, a, clock) ?? .zero)
        }
        clock.advance(by: .seconds(25))  // two intervals: multiplier 3 → 1
        balancer.fail(a, times: 5)
        #expect(remaining(balancer, a, clock) == .seconds(60))
        clock.advance(by: .seconds(60 + 3600))
        balancer.fail(a, times: 5)
        #expect(remaining(balancer, a, clock) == .seconds(30))
    }

    @Test("the endpoint returns when its ejection ends, with a fresh failure count")
    func unejects() {
        let clock = ManualClock()
        let balancer = makeBalancer(.roundRobin, endpoints: [a, b], clock: clock)
        balancer.fail(a, times: 5)
        clock.advance(by: .seconds(29))
        #expect(Set((0..<4).compactMap { _ in balancer.pickAny()?.endpoint }) == [b])
        clock.advance(by: .seconds(1))
        #expect(Set((0..<4).compactMap { _ in balancer.pickAny()?.endpoint }) == [a, b])
        #expect(balancer.status(of: a)?.ejectedUntil == nil)
        #expect(balancer.status(of: a)?.consecutiveFailures == 0)
        balancer.fail(a, times: 4)
        #expect(balancer.status(of: a)?.ejectedUntil == nil)
    }

    @Test(
        "at most max-percent of the endpoints are ejected, Envoy's rounding, at least one if allowed",
        arguments: [
            (endpoints: 4, alwaysEjectOne: true, ejected: 1),
            (endpoints: 4, alwaysEjectOne: false, ejected: 0),
            (endpoints: 10, alwaysEjectOne: false, ejected: 1),
            (endpoints: 19, alwaysEjectOne: false, ejected: 1),
            (endpoints: 20, alwaysEjectOne: true, ejected: 2),
            (endpoints: 35, alwaysEjectOne: true, ejected: 3),
        ]
    )
    func maxPercent(endpoints count: Int, alwaysEjectOne: Bool, ejected: Int) {
        let many = endpoints(count)
        let config = LoadBalancer.Config(ejection: .init(alwaysEjectOne: alwaysEjectOne))
        let balancer = makeBalancer(.leastOutstanding, endpoints: many, config: config)
        for endpoint in many {
            balancer.fail(endpoint, times: 5)
        }
        let status = balancer.status()
        #expect(status.endpoints.filter { $0.ejectedUntil != nil }.count == ejected)
        #expect(status.ejectionsEnforced == ejected)
        #expect(status.ejectionsOverflowed == count - ejected)
        #expect(status.endpoints.allSatisfy { $0.consecutiveFailures == 0 }, "a refused ejection restarts the run")
    }

    @Test("when every usable endpoint is ejected, picks ignore ejection", arguments: BalancingStrategy.allCases)
    func allEjectedFallsBack(strategy: BalancingStrategy) {
        let config = LoadBalancer.Config(ejection: .init(maxPercent: 100))
        let balancer = makeBalancer(strategy, endpoints: [a, b], config: config)
        balancer.fail(a, times: 5)
        #expect(balancer.pick { $0 == a }?.endpoint == a, "the only usable endpoint is ejected")
        balancer.fail(b, times: 5)
        #expect(balancer.status().endpoints.allSatisfy { $0.ejectedUntil != nil })
        #expect(Set((0..<40).compactMap { _ in balancer.pickAny()?.endpoint }) == [a, b])
    }

    @Test("ejection can be turned off")
    func disabled() {
        let config = LoadBalancer.Config(ejection: .init(consecutiveFailures: 0))
        let balancer = makeBalancer(.roundRobin, endpoints: all, config: config)
        balancer.fail(a, times: 50)
        #expect(balancer.status(of: a)?.ejectedUntil == nil)
    }

    @Test("an ejection survives a list update and counts against the new list")
    func ejectionAcrossUpdates() {
        let clock = ManualClock()
        let balancer = makeBalancer(.roundRobin, endpoints: all, clock: clock)
        balancer.fail(a, times: 5)
        balancer.update(endpoints: all.reversed())
        #expect(remaining(balancer, a, clock) == .seconds(30))
        balancer.fail(b, times: 5)
        #expect(balancer.status(of: b)?.ejectedUntil == nil, "one of four is already ejected")
        #expect(!(0..<8).contains { _ in balancer.pickAny()?.endpoint == a })
    }
}
