import Balancer
import Gateway
import Testing

@Suite("GatewayConfig: a backend's balancing section")
struct BalancingConfigTests {
    private static func backend(balancing: String) throws(ConfigError) -> GatewayConfig.Backend {
        let yaml = """
            backends:
              - name: echo
                descriptors: [/abs/echo.pb]
                endpoints: ["127.0.0.1:1"]
            \(balancing.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        return try GatewayConfig(yaml: yaml, file: "portico.yaml", relativeTo: "/").backends[0]
    }

    @Test("without a balancing section every setting takes its documented default")
    func defaults() throws {
        let balancing = try Self.backend(balancing: "").balancing
        #expect(balancing == .defaults)
        #expect(balancing.balancer == .defaults)
        #expect(balancing.balancer.ewma.decay == .seconds(10))
        #expect(balancing.balancer.ejection.consecutiveFailures == 5)
        #expect(balancing.balancer.retryBudget.ratio == 0.2)
        #expect(balancing.retryUnavailable == false)
        #expect(balancing.maxConnectionsPerEndpoint == 4)
        #expect(balancing.keepaliveInterval == .seconds(30))
        #expect(balancing.keepaliveTimeout == .seconds(10))
        #expect(balancing.drainTimeout == .seconds(30))
    }

    @Test("every key is read")
    func allKeys() throws {
        let balancing = try Self.backend(balancing: """
            balancing:
              ewma: { decay: 5s, defaultLatency: 30ms, failurePenalty: 2s }
              ejection: { consecutiveFailures: 3, baseEjectionTime: 10s, maxEjectionTime: 60s, maxEjectionPercent: 50 }
              retryBudget: { percent: 50, minimum: 10 }
              retryOn: [unavailable]
              maxConnectionsPerEndpoint: 8
              keepalive: { interval: 1m, timeout: 5s }
              drainTimeout: 2s
            """).balancing
        #expect(balancing.balancer.ewma.decay == .seconds(5))
        #expect(balancing.balancer.ewma.defaultLatency == .milliseconds(30))
        #expect(balancing.balancer.ewma.failurePenalty == .seconds(2))
        #expect(balancing.balancer.ejection.consecutiveFailures == 3)
        #expect(balancing.balancer.ejection.baseTime == .seconds(10))
        #expect(balancing.balancer.ejection.maxTime == .seconds(60))
        #expect(balancing.balancer.ejection.maxPercent == 50)
        #expect(balancing.balancer.retryBudget.ratio == 0.5)
        #expect(balancing.balancer.retryBudget.minimumConcurrentRetries == 10)
        #expect(balancing.retryUnavailable)
        #expect(balancing.maxConnectionsPerEndpoint == 8)
        #expect(balancing.keepaliveInterval == .seconds(60))
        #expect(balancing.keepaliveTimeout == .seconds(5))
        #expect(balancing.drainTimeout == .seconds(2))
    }

    @Test("a keepalive interval of 0s turns keepalive off")
    func keepaliveOff() throws {
        let balancing = try Self.backend(balancing: "balancing: { keepalive: { interval: 0s } }").balancing
        #expect(balancing.keepaliveInterval == nil)
    }

    @Test(
        "a bad value names the key and its line",
        arguments: [
            ("balancing: { retryOn: [internal] }", "backends[0].balancing.retryOn[0]", "unknown retry condition"),
            ("balancing: { maxConnectionsPerEndpoint: 0 }", "backends[0].balancing.maxConnectionsPerEndpoint", "between 1 and 64"),
            ("balancing: { ewma: { decay: 0s } }", "backends[0].balancing.ewma.decay", "longer than 0s"),
            ("balancing: { ejection: { maxEjectionPercent: 101 } }", "backends[0].balancing.ejection.maxEjectionPercent", "between 0 and 100"),
            ("balancing: { ejection: { baseEjectionTime: 60s, maxEjectionTime: 10s } }", "backends[0].balancing.ejection.maxEjectionTime", "baseEjectionTime"),
            ("balancing: { retryBudget: { ratio: 0.2 } }", "backends[0].balancing.retryBudget.ratio", "unknown key"),
            ("balancing: { keepalive: { timeout: soon } }", "backends[0].balancing.keepalive.timeout", "expected a duration"),
        ])
    func badValue(yaml: String, key: String, message: String) throws {
        let error = try #require(throws: ConfigError.self) { try Self.backend(balancing: yaml) }
        #expect(error.key == key)
        #expect(error.line == 5)
        #expect(error.message.contains(message), "\(error.message)")
    }
}
