import Foundation

// Discovery at scale: how long an EndpointSlice watch event takes from its JSON line to a published
// snapshot, and what an endpoint costs in memory. Run with bench/discovery.sh.
#if canImport(Glibc)
    import Glibc
#endif

/// Resident memory, from /proc/self/statm (an upper bound on what the state holds: freed temporaries may
/// stay resident).
func residentBytes() -> Int {
    let fields = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?.split(separator: " ") ?? []
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func sliceJSON(service: Int, slice: Int, endpoints: [(ip: String, ready: Bool)], version: Int) -> String {
    let items = endpoints.map { endpoint in
        """
        {"addresses":["\(endpoint.ip)"],"conditions":{"ready":\(endpoint.ready),"serving":true,"terminating":false},\
        "nodeName":"node-\(service % 50)","zone":"zone-\(service % 3)",\
        "targetRef":{"kind":"Pod","namespace":"shop","name":"svc\(service)-\(endpoint.ip)"}}
        """
    }
    return """
        {"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{"name":"svc\(service)-\(slice)",\
        "namespace":"shop","resourceVersion":"\(version)","labels":{"kubernetes.io/service-name":"svc\(service)"}},\
        "addressType":"IPv4","ports":[{"name":"grpc","port":9000,"protocol":"TCP"}],"endpoints":[\(items.joined(separator: ","))]}
        """
}

/// What a shared watch and a ServiceSubscriber do per event, minus the locks: decode, apply, rebuild, compare,
/// publish.
struct Watched {
    var state: ServiceEndpointsState
    var published: EndpointSnapshot?
    let continuation: AsyncStream<EndpointSnapshot>.Continuation

    mutating func handle(_ line: ArraySlice<UInt8>, decoder: JSONDecoder) throws {
        switch try decoder.decode(WatchEvent<EndpointSlice>.self, from: Data(line)) {
        case .added(let slice), .modified(let slice): state.apply(.upsert(slice))
        case .deleted(let slice): state.apply(.delete(slice))
        default: return
        }
        let snapshot = state.snapshot()
        guard snapshot != published else { return }
        published = snapshot
        continuation.yield(snapshot)
    }
}

func percentile(_ sorted: [Duration], _ p: Double) -> Duration {
    sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func micros(_ d: Duration) -> String {
    String(format: "%.1f", Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12)
}

func churn(_ services: inout [Watched], slicesPerService: Int, endpointsPerSlice: Int, events: Int) throws -> [Duration]
{
    let decoder = JSONDecoder()
    var generator = SystemRandomNumberGenerator()
    var version = 1_000_000
    var times: [Duration] = []
    times.reserveCapacity(events)
    let clock = ContinuousClock()
    for event in 0..<events {
        let service = Int.random(in: 0..<services.count, using: &generator)
        let slice = Int.random(in: 0..<slicesPerService, using: &generator)
        let changed = Int.random(in: 0..<endpointsPerSlice, using: &generator)
        version += 1
        let endpoints = (0..<endpointsPerSlice).map { index in
            (ip: "10.\(service % 250).\(slice).\(index)", ready: index != changed || event % 2 == 0)
        }
        let line = Array(
            "{\"type\":\"MODIFIED\",\"object\":\(sliceJSON(service: service, slice: slice, endpoints: endpoints, version: version))}"
                .utf8)
        let start = clock.now
        try services[service].handle(line[...], decoder: decoder)
        times.append(clock.now - start)
    }
    return times.sorted()
}

func build(services count: Int, slices: Int, perSlice: Int) throws -> [Watched] {
    let decoder = JSONDecoder()
    return try (0..<count).map { service in
        var state = ServiceEndpointsState(backend: "svc\(service)", port: .name("grpc"))
        let objects = try (0..<slices).map { slice in
            let endpoints = (0..<perSlice).map { (ip: "10.\(service % 250).\(slice).\($0)", ready: true) }
            return try decoder.decode(
                EndpointSlice.self,
                from: Data(sliceJSON(service: service, slice: slice, endpoints: endpoints, version: 1).utf8))
        }
        state.apply(.replace(objects))
        let (_, continuation) = AsyncStream.makeStream(of: EndpointSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        let snapshot = state.snapshot()
        continuation.yield(snapshot)
        return Watched(state: state, published: snapshot, continuation: continuation)
    }
}

func report(_ label: String, _ times: [Duration]) {
    let total = times.reduce(Duration.zero, +)
    print(
        "\(label): events \(times.count), mean \(micros(total / times.count)) µs, p50 \(micros(percentile(times, 0.5))) µs, "
            + "p99 \(micros(percentile(times, 0.99))) µs, max \(micros(times.last!)) µs")
}

let before = residentBytes()
var fleet = try build(services: 1000, slices: 1, perSlice: 10)
let after = residentBytes()
print(
    "1,000 services × 10 endpoints: resident +\((after - before) / 1024) KiB, \((after - before) / 10_000) bytes per endpoint (state + last snapshot)"
)
report(
    "1,000 × 10, one endpoint churned per event",
    try churn(&fleet, slicesPerService: 1, endpointsPerSlice: 10, events: 20_000))

var big = try build(services: 1, slices: 25, perSlice: 100)
report(
    "1 service × 2,500 endpoints (25 slices), one endpoint churned per event",
    try churn(&big, slicesPerService: 25, endpointsPerSlice: 100, events: 2_000))
