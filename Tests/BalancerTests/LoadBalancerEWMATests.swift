import Balancer
import Foundation
import Testing

@Suite("LoadBalancer, peak EWMA")
struct LoadBalancerEWMATests {
    let a = EndpointAddress(host: "10.0.0.1", port: 50051)
    let b = EndpointAddress(host: "10.0.0.2", port: 50051)
    let c = EndpointAddress(host: "10.0.0.3", port: 50051)

    func estimate(_ balancer: LoadBalancer, _ endpoint: EndpointAddress) -> Double {
        balancer.status(of: endpoint)?.latencyEstimate.seconds ?? .nan
    }

    func succeed(_ balancer: LoadBalancer, _ endpoint: EndpointAddress, after latency: Duration) {
        for ticket in balancer.hold(endpoint, count: 1) {
            balancer.complete(ticket, outcome: .success(latency: latency))
        }
    }

    @Test("a slower sample replaces the estimate at once")
    func peak() {
        let clock = ManualClock()
        let balancer = makeBalancer(.ewma, endpoints: [a], clock: clock)
        #expect(isClose(estimate(balancer, a), 0.010))
        clock.advance(by: .milliseconds(1))
        succeed(balancer, a, after: .milliseconds(250))
        #expect(isClose(estimate(balancer, a), 0.250))
    }

    @Test("faster samples decay in as exp(-Δt/τ)")
    func decay() {
        let clock = ManualClock()
        let balancer = makeBalancer(.ewma, endpoints: [a], clock: clock)
        succeed(balancer, a, after: .milliseconds(100))

        clock.advance(by: .seconds(5))
        succeed(balancer, a, after: .milliseconds(20))
        let halfTau = exp(-0.5)
        var expected = 0.100 * halfTau + 0.020 * (1 - halfTau)
        #expect(isClose(estimate(balancer, a), expected))

        clock.advance(by: .seconds(10))
        succeed(balancer, a, after: .milliseconds(20))
        expected = expected * exp(-1) + 0.020 * (1 - exp(-1))
        #expect(isClose(estimate(balancer, a), expected))

        succeed(balancer, a, after: .milliseconds(1))
        #expect(isClose(estimate(balancer, a), expected), "a sample with no time elapsed has no weight")
    }

    @Test("the time constant comes from the configuration")
    func configuredDecay() {
        let clock = ManualClock()
        let config = LoadBalancer.Config(ewma: .init(decay: .seconds(2)))
        let balancer = makeBalancer(.ewma, endpoints: [a], clock: clock, config: config)
        succeed(balancer, a, after: .milliseconds(100))
        clock.advance(by: .seconds(1))
        succeed(balancer, a, after: .zero)
        #expect(isClose(estimate(balancer, a), 0.100 * exp(-0.5)))
    }

    @Test("an idle estimate does not decay towards zero")
    func idle() {
        let clock = ManualClock()
        let balancer = makeBalancer(.ewma, endpoints: [a], clock: clock)
        succeed(balancer, a, after: .milliseconds(80))
        clock.advance(by: .seconds(60))
        #expect(isClose(estimate(balancer, a), 0.080))
        succeed(balancer, a, after: .milliseconds(10))
        #expect(isClose(estimate(balancer, a), 0.080 * exp(-6) + 0.010 * (1 - exp(-6))))
    }

    @Test("a new endpoint starts at the mean of the pool's estimates, or the default in an empty pool")
    func newEndpointStartsAtMean() {
        let clock = ManualClock()
        let config = LoadBalancer.Config(ewma: .init(defaultLatency: .milliseconds(25)))
        let balancer = makeBalancer(.ewma, endpoints: [a, b], clock: clock, config: config)
        #expect(isClose(estimate(balancer, a), 0.025))
        succeed(balancer, a, after: .milliseconds(75))
        balancer.update(endpoints: [a, b, c])
        #expect(isClose(estimate(balancer, c), 0.050))

        balancer.update(endpoints: [])
        balancer.update(endpoints: [c])
        #expect(isClose(estimate(balancer, c), 0.025))
    }

    @Test("a failure adds a penalty that fades as exp(-t/τ) and steers picks away meanwhile")
    func penalty() throws {
        let clock = ManualClock()
        let random = ScriptedRandom()
        let balancer = makeBalancer(.ewma, endpoints: [a, b], clock: clock, random: random)
        balancer.fail(a, times: 1)
        let status = try #require(balancer.status(of: a))
        #expect(isClose(status.failurePenalty.seconds, 1.0))
        #expect(isClose(status.latencyEstimate.seconds, 0.010), "the estimate itself is unchanged")

        random.queue(0, 0)  // a, then b
        #expect(balancer.pickAny()?.endpoint == b)

        clock.advance(by: .seconds(10))
        #expect(isClose(balancer.status(of: a)?.failurePenalty.seconds ?? 0, exp(-1), tolerance: 1e-6))

        balancer.fail(a, times: 1)
        #expect(isClose(balancer.status(of: a)?.failurePenalty.seconds ?? 0, 1.0), "a new failure restores it")

        clock.advance(by: .seconds(300))
        #expect((balancer.status(of: a)?.failurePenalty.seconds ?? 1) < 1e-9)
        _ = balancer.hold(b, count: 1)
        random.queue(1, 0)  // b (1 in flight), then a
        #expect(balancer.pickAny()?.endpoint == a, "the faded penalty no longer counts")
    }

    @Test("the cost multiplies the estimate by in-flight + 1")
    func costUsesInFlight() {
        let random = ScriptedRandom()
        let balancer = makeBalancer(.ewma, endpoints: [a, b], random: random)
        succeed(balancer, b, after: .milliseconds(30))  // a: 10 ms, b: 30 ms

        random.queue(1, 0)  // b, then a
        #expect(balancer.pickAny()?.endpoint == a, "10 × 1 < 30 × 1")
        random.queue(1, 0)
        #expect(balancer.pickAny()?.endpoint == a, "10 × 2 < 30 × 1")
        _ = balancer.hold(a, count: 1)
        random.queue(0, 0)  // a, then b
        #expect(balancer.pickAny()?.endpoint == b, "10 × 4 > 30 × 1")
        random.queue(0, 0)
        #expect(balancer.pickAny()?.endpoint == a, "10 × 4 < 30 × 2")
        _ = balancer.hold(a, count: 2)
        random.queue(0, 0)
        #expect(balancer.pickAny()?.endpoint == b, "10 × 7 > 30 × 2")
    }

    @Test("application errors are latency samples, cancellations are not")
    func otherOutcomes() {
        let balancer = makeBalancer(.ewma, endpoints: [a])
        balancer.fail(a, times: 1, with: .otherError(latency: .milliseconds(40)))
        #expect(isClose(estimate(balancer, a), 0.040))
        #expect(balancer.status(of: a)?.failurePenalty == .zero)
        balancer.fail(a, times: 1, with: .cancelled)
        #expect(isClose(estimate(balancer, a), 0.040))
        #expect(balancer.status(of: a)?.failurePenalty == .zero)
    }
}
