import Balancer
import Testing

@Suite("LoadBalancer, round-robin")
struct LoadBalancerTests {
    let a = EndpointAddress(host: "10.0.0.1", port: 50051)
    let b = EndpointAddress(host: "10.0.0.2", port: 50051)
    let c = EndpointAddress(host: "10.0.0.3", port: 50051)

    @Test("takes every usable endpoint in turn")
    func takesTurns() {
        let balancer = LoadBalancer(strategy: .roundRobin)
        balancer.update(endpoints: [a, b, c])
        let picks = (0..<6).map { _ in balancer.pick { _ in true } }
        #expect(picks == [a, b, c, a, b, c])
    }

    @Test("skips endpoints that are not usable")
    func skipsUnusable() {
        let balancer = LoadBalancer(strategy: .roundRobin)
        balancer.update(endpoints: [a, b, c])
        let picks = (0..<4).map { _ in balancer.pick { $0 != b } }
        #expect(picks == [a, c, a, c])
    }

    @Test("returns nil when nothing is usable or the list is empty")
    func nothingUsable() {
        let balancer = LoadBalancer(strategy: .roundRobin)
        #expect(balancer.pick { _ in true } == nil)
        balancer.update(endpoints: [a, b])
        #expect(balancer.pick { _ in false } == nil)
    }

    @Test("drops duplicate endpoints and keeps turning after an update")
    func updates() {
        let balancer = LoadBalancer(strategy: .roundRobin)
        balancer.update(endpoints: [a, a, b])
        #expect(balancer.endpoints == [a, b])
        _ = balancer.pick { _ in true }
        balancer.update(endpoints: [c])
        #expect(balancer.pick { _ in true } == c)
        #expect(balancer.pick { _ in true } == c)
    }
}
