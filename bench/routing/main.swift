// Route-table lookup benchmark: nanoseconds per lookup for tables of 10 to 3,000 services × 10 routes, so that
// the cost can be seen to stay flat as the table grows.
// Built by bench/routing.sh together with Sources/Gateway/Routing (pure Swift, no dependencies).

import Dispatch

func table(services: Int) throws -> RouteTable<String> {
    var routes: [RouteTable<String>.Route] = []
    for service in 0..<services {
        let resource = "things\(service)"
        let shapes: [(String, String)] = [
            ("GET", "/v1/{parent=projects/*/locations/*}/\(resource)"),
            ("POST", "/v1/{parent=projects/*/locations/*}/\(resource)"),
            ("GET", "/v1/{name=projects/*/locations/*/\(resource)/*}"),
            ("PATCH", "/v1/{thing.name=projects/*/locations/*/\(resource)/*}"),
            ("DELETE", "/v1/{name=projects/*/locations/*/\(resource)/*}"),
            ("POST", "/v1/{name=projects/*/locations/*/\(resource)/*}:cancel"),
            ("GET", "/v1/\(resource):search"),
            ("GET", "/v1/\(resource)/{path=**}/raw"),
            ("GET", "/v2/\(resource)/{id}/default"),
            ("POST", "/svc\(service).Service/Unannotated"),
        ]
        for (method, template) in shapes {
            routes.append(.init(httpMethod: method, template: try PathTemplate(parsing: template), target: template))
        }
    }
    return try RouteTable(routes: routes)
}

/// The requests, aimed at the middle service of a table of `services`.
func cases(services: Int) -> [(name: String, method: String, path: String)] {
    let n = services / 2
    return [
        ("literal + verb", "GET", "/v1/things\(n):search"),
        ("unannotated", "POST", "/svc\(n).Service/Unannotated"),
        ("6 segments, 1 variable", "GET", "/v1/projects/p1/locations/eu/things\(n)/x"),
        ("verb, 1 long variable", "POST", "/v1/projects/p1/locations/eu/things\(n)/x:cancel"),
        ("'**' variable", "GET", "/v1/things\(n)/a/b/c/raw"),
        ("not found, escapes", "GET", "/v1/projects/p1/locations/eu/nothing/x%20y/z"),
        ("405", "PUT", "/v1/projects/p1/locations/eu/things\(n)/x"),
    ]
}

let serviceCounts = [10, 100, 1_000, 3_000]
let iterations = 1_000_000
print("ns per lookup (\(iterations) lookups each); columns: routes in the table")
print("case".padding(24) + serviceCounts.map { "\($0 * 10)".leftPadding(9) }.joined())
var rows = cases(services: 2).map { ($0.name.padding(24), [String]()) }
for services in serviceCounts {
    let routes = try table(services: services)
    for (index, testCase) in cases(services: services).enumerated() {
        let path = Substring(testCase.path)
        var matched = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations {
            if case .matched = routes.match(method: testCase.method, path: path) { matched += 1 }
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        let mark = matched == iterations ? "" : "*"
        rows[index].1.append("\(elapsed / UInt64(iterations))\(mark)".leftPadding(9))
    }
}
for (name, cells) in rows { print(name + cells.joined()) }
print("(* = no match, as intended for the last two cases)")

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    func leftPadding(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
