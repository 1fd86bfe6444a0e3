// Balancer benchmark: prints nanoseconds per pick, and per pick + complete, for each strategy at 10, 100 and
// 10,000 endpoints, every endpoint usable. Built by bench/balancer.sh together with Sources/Balancer.

import Dispatch

let iterations = 1_000_000
let sizes = [10, 100, 10_000]

func endpoints(_ count: Int) -> [EndpointAddress] {
    (0..<count).map { EndpointAddress(host: "10.\($0 / 65536).\($0 / 256 % 256).\($0 % 256)", port: 50051) }
}

func measure(_ body: () -> Void) -> UInt64 {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return (DispatchTime.now().uptimeNanoseconds - start) / UInt64(iterations)
}

print("iterations: \(iterations) per case; ns per call")
print("strategy            endpoints   pick   pick+complete")
for strategy in BalancingStrategy.allCases {
    for size in sizes {
        let balancer = LoadBalancer(strategy: strategy)
        balancer.update(endpoints: endpoints(size))
        var misses = 0
        // Picks alone: the tickets are dropped, so in-flight counts only grow, as under a burst.
        let pickOnly = measure {
            for _ in 0..<iterations where balancer.pick(where: { _ in true }) == nil {
                misses += 1
            }
        }
        let fresh = LoadBalancer(strategy: strategy)
        fresh.update(endpoints: endpoints(size))
        let latency = Duration.microseconds(800)
        let withComplete = measure {
            for _ in 0..<iterations {
                guard let pick = fresh.pick(where: { _ in true }) else {
                    misses += 1
                    continue
                }
                fresh.complete(pick.ticket, outcome: .success(latency: latency))
            }
        }
        let name = strategy.rawValue + String(repeating: " ", count: max(0, 20 - strategy.rawValue.count))
        let count = String(size).count
        print(
            "\(name)\(String(repeating: " ", count: 9 - count))\(size)   \(pickOnly)\(String(repeating: " ", count: max(1, 7 - String(pickOnly).count)))\(withComplete)\(misses > 0 ? "  (\(misses) misses)" : "")"
        )
    }
}
