import Synchronization

/// Chooses an endpoint of one backend for each request.
///
/// The endpoint list comes from discovery and may change at any time; a pick only ever returns an
/// endpoint of the current list that the caller reports usable (for example: its connection is ready).
/// Safe to use from any thread.
public final class LoadBalancer: Sendable {
    private struct State {
        var endpoints: [EndpointAddress] = []
        var next = 0
    }

    /// The strategy this balancer follows.
    public let strategy: BalancingStrategy
    private let state = Mutex(State())

    /// Creates a balancer with no endpoints.
    public init(strategy: BalancingStrategy) {
        self.strategy = strategy
    }

    /// The endpoints picks are made from, in the order discovery gave them.
    public var endpoints: [EndpointAddress] {
        state.withLock { $0.endpoints }
    }

    /// Replaces the endpoint list; duplicates are dropped.
    public func update(endpoints: [EndpointAddress]) {
        var seen = Set<EndpointAddress>()
        let unique = endpoints.filter { seen.insert($0).inserted }
        state.withLock { $0.endpoints = unique }
    }

    /// Picks the next endpoint for which `isUsable` holds, or nil when none does.
    ///
    /// - Parameter isUsable: Called under the balancer's lock for candidate endpoints; it must be quick and
    ///   must not call back into the balancer.
    /// - Returns: The chosen endpoint, or nil if the list is empty or no endpoint is usable.
    public func pick(where isUsable: (EndpointAddress) -> Bool) -> EndpointAddress? {
        state.withLock { state in
            let count = state.endpoints.count
            guard count > 0 else { return nil }
            for offset in 0..<count {
                let index = (state.next + offset) % count
                let candidate = state.endpoints[index]
                if isUsable(candidate) {
                    state.next = (index + 1) % count
                    return candidate
                }
            }
            return nil
        }
    }
}
