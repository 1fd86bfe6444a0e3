import Gateway
import Testing

@Suite("RouteTable with many services")
struct RouteTableScaleTests {
    /// Ten route shapes per service, in the style of Google APIs, for 100 services: 1,000 routes sharing
    /// prefixes, literals, wildcards, verbs and `**` tails.
    static func routes(serviceCount: Int) throws -> [RouteTable<String>.Route] {
        var routes: [RouteTable<String>.Route] = []
        for service in 0..<serviceCount {
            let resource = "things\(service)"
            let shapes: [(String, String, String)] = [
                ("GET", "/v1/{parent=projects/*/locations/*}/\(resource)", "List"),
                ("POST", "/v1/{parent=projects/*/locations/*}/\(resource)", "Create"),
                ("GET", "/v1/{name=projects/*/locations/*/\(resource)/*}", "Get"),
                ("PATCH", "/v1/{thing.name=projects/*/locations/*/\(resource)/*}", "Update"),
                ("DELETE", "/v1/{name=projects/*/locations/*/\(resource)/*}", "Delete"),
                ("POST", "/v1/{name=projects/*/locations/*/\(resource)/*}:cancel", "Cancel"),
                ("GET", "/v1/\(resource):search", "Search"),
                ("GET", "/v1/\(resource)/{path=**}/raw", "Raw"),
                ("GET", "/v2/\(resource)/{id}/default", "Default"),
                ("POST", "/svc\(service).Service/Unannotated", "Unannotated"),
            ]
            for (method, template, rpc) in shapes {
                routes.append(
                    RouteTable.Route(
                        httpMethod: method,
                        template: try PathTemplate(parsing: template),
                        target: "svc\(service).Service/\(rpc)"
                    )
                )
            }
        }
        return routes
    }

    static func matched(_ target: String, _ variables: KeyValuePairs<String, String> = [:]) -> RouteMatch<String> {
        .matched(
            target,
            variables: variables.map {
                PathVariable(fieldPath: $0.key.split(separator: ".").map(String.init), value: $0.value)
            }
        )
    }

    @Test("1,000 routes each match their own requests, in any registration order", arguments: [false, true])
    func thousandRoutes(reversed: Bool) throws {
        let serviceCount = 100
        var routes = try Self.routes(serviceCount: serviceCount)
        #expect(routes.count == 1_000)
        if reversed { routes.reverse() }
        let table = try RouteTable(routes: routes)
        for service in [0, 1, 37, 50, 99] {
            let resource = "things\(service)"
            let target = { (rpc: String) in "svc\(service).Service/\(rpc)" }
            let parent = "projects/p\(service)/locations/eu"
            let name = "\(parent)/\(resource)/t%2F1"
            let expectations: [(String, String, RouteMatch<String>)] = [
                ("GET", "/v1/\(parent)/\(resource)", Self.matched(target("List"), ["parent": parent])),
                ("POST", "/v1/\(parent)/\(resource)", Self.matched(target("Create"), ["parent": parent])),
                ("GET", "/v1/\(name)", Self.matched(target("Get"), ["name": name])),
                ("PATCH", "/v1/\(name)", Self.matched(target("Update"), ["thing.name": name])),
                ("DELETE", "/v1/\(name)", Self.matched(target("Delete"), ["name": name])),
                ("POST", "/v1/\(name):cancel", Self.matched(target("Cancel"), ["name": name])),
                ("GET", "/v1/\(resource):search", Self.matched(target("Search"))),
                ("GET", "/v1/\(resource)/a/b/raw", Self.matched(target("Raw"), ["path": "a/b"])),
                ("GET", "/v2/\(resource)/7/default", Self.matched(target("Default"), ["id": "7"])),
                ("POST", "/svc\(service).Service/Unannotated", Self.matched(target("Unannotated"))),
                ("PUT", "/v1/\(name)", .methodNotAllowed(allowed: ["DELETE", "GET", "PATCH"])),
                ("GET", "/v1/\(parent)/unknown", .notFound),
                ("GET", "/v1/\(resource)x:search", .notFound),
            ]
            for (method, path, expected) in expectations {
                #expect(table.match(method: method, path: path[...]) == expected, "\(method) \(path)")
            }
        }
        #expect(table.match(method: "GET", path: "/v1/things\(serviceCount):search") == .notFound)
        #expect(table.routes.count == 1_000)
    }
}
