import Balancer
import Testing

@Suite("RetryBudget")
struct RetryBudgetTests {
    @Test("allows at least 3 retries in flight", arguments: [0, 1, 14])
    func minimum(activeRequests: Int) {
        var budget = RetryBudget()
        let permits = (0..<5).compactMap { _ in budget.tryAcquireRetry(activeRequests: activeRequests) }
        #expect(permits.count == 3)
        #expect(budget.activeRetries == 3)
        #expect(budget.overflows == 2)
    }

    @Test("allows 20 % of the active requests when that is more", arguments: [(15, 3), (20, 4), (99, 19), (1000, 200)])
    func ratio(activeRequests: Int, limit: Int) {
        var budget = RetryBudget()
        #expect(budget.limit(activeRequests: activeRequests) == limit)
        let permits = (0..<(limit + 10)).compactMap { _ in budget.tryAcquireRetry(activeRequests: activeRequests) }
        #expect(permits.count == limit)
        #expect(budget.overflows == 10)
    }

    @Test("a released permit makes room for another retry")
    func release() throws {
        var budget = RetryBudget(config: .init(ratio: 0, minimumConcurrentRetries: 1))
        let granted = budget.tryAcquireRetry(activeRequests: 10)
        let permit = try #require(granted)
        #expect(budget.tryAcquireRetry(activeRequests: 10) == nil)
        budget.release(permit)
        #expect(budget.activeRetries == 0)
        #expect(budget.tryAcquireRetry(activeRequests: 10) != nil)
    }

    @Test("a balancer's budget follows its requests in flight")
    func balancerBudget() throws {
        let all = endpoints(3)
        let balancer = makeBalancer(.roundRobin, endpoints: all)
        let tickets = (0..<30).compactMap { _ in balancer.pickAny()?.ticket }
        let permits = (0..<10).compactMap { _ in balancer.tryAcquireRetry() }
        #expect(permits.count == 6)
        #expect(balancer.status().activeRetries == 6)
        #expect(balancer.status().retryOverflows == 4)

        for ticket in tickets {
            balancer.complete(ticket, outcome: .success(latency: .milliseconds(1)))
        }
        #expect(balancer.tryAcquireRetry() == nil, "6 retries in flight exceed the minimum of 3")
        for permit in permits {
            balancer.release(permit)
        }
        #expect(balancer.status().activeRetries == 0)
        #expect(balancer.tryAcquireRetry() != nil)
    }
}
