import Balancer

/// `count` distinct endpoints on the same port.
func endpoints(_ count: Int) -> [EndpointAddress] {
    (0..<count).map { EndpointAddress(host: "10.0.\($0 / 256).\($0 % 256)", port: 50051) }
}

/// A balancer on a manual clock and a scripted random source, with `endpoints` in place.
func makeBalancer(
    _ strategy: BalancingStrategy,
    endpoints: [EndpointAddress],
    clock: ManualClock = ManualClock(),
    random: ScriptedRandom = ScriptedRandom(),
    config: LoadBalancer.Config = .defaults
) -> LoadBalancer {
    let balancer = LoadBalancer(strategy: strategy, config: config, clock: clock.reading, random: random)
    balancer.update(endpoints: endpoints)
    return balancer
}

extension LoadBalancer {
    /// Picks among all endpoints.
    func pickAny() -> Pick? {
        pick { _ in true }
    }

    /// Picks `endpoint` (the only one usable) `count` times and keeps the tickets open.
    func hold(_ endpoint: EndpointAddress, count: Int) -> [Pick.Ticket] {
        (0..<count).compactMap { _ in pick { $0 == endpoint }?.ticket }
    }

    /// The status of one endpoint.
    func status(of endpoint: EndpointAddress) -> EndpointStatus? {
        status().endpoints.first { $0.endpoint == endpoint }
    }

    /// Sends `count` requests to `endpoint` that all end with `outcome`.
    func fail(_ endpoint: EndpointAddress, times count: Int, with outcome: RequestOutcome = .unavailable) {
        for ticket in hold(endpoint, count: count) {
            complete(ticket, outcome: outcome)
        }
    }
}

extension Duration {
    /// The duration in seconds, for comparing with computed expectations.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

/// Whether two numbers agree to a relative tolerance.
func isClose(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
    abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-12)
}
