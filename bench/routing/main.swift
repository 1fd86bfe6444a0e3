// Route-table lookup benchmark: prints nanoseconds per lookup for a 1,000-route table.
// Built by bench/routing.sh together with Sources/Gateway/Routing (pure Swift, no dependencies).

import Dispatch

let serviceCount = 100
var routes: [RouteTable<String>.Route] = []
for service in 0..<serviceCount {
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
let table = try RouteTable(routes: routes)

let cases: [(name: String, method: String, path: String)] = [
    ("literal + verb", "GET", "/v1/things57:search"),
    ("unannotated", "POST", "/svc42.Service/Unannotated"),
    ("6 segments, 1 variable", "GET", "/v1/projects/p1/locations/eu/things3/x"),
    ("verb, 1 long variable", "POST", "/v1/projects/p1/locations/eu/things3/x:cancel"),
    ("'**' variable", "GET", "/v1/things57/a/b/c/raw"),
    ("not found, escapes", "GET", "/v1/projects/p1/locations/eu/nothing/x%20y/z"),
    ("405", "PUT", "/v1/projects/p1/locations/eu/things3/x"),
]
let iterations = 1_000_000
print("routes: \(routes.count), iterations: \(iterations)")
for testCase in cases {
    let path = Substring(testCase.path)
    var outcomes = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations {
        if case .matched = table.match(method: testCase.method, path: path) { outcomes += 1 }
    }
    let elapsed = DispatchTime.now().uptimeNanoseconds - start
    let name = testCase.name + String(repeating: " ", count: max(0, 24 - testCase.name.count))
    print("\(name) \(elapsed / UInt64(iterations)) ns/lookup (\(outcomes == iterations ? "matched" : "no match"))")
}
