import Gateway
import Testing

@Suite("RouteTable conflicts")
struct RouteTableConflictTests {
    struct ConflictCase: Sendable, CustomTestStringConvertible {
        var first: (method: String, template: String)
        var second: (method: String, template: String)
        var conflicts: Bool
        var testDescription: String {
            "\(first.method) \(first.template) vs \(second.method) \(second.template)"
        }
    }

    static let cases: [ConflictCase] = [
        ConflictCase(first: ("GET", "/v1/{name}"), second: ("GET", "/v1/{id}"), conflicts: true),
        ConflictCase(first: ("GET", "/v1/{name}"), second: ("GET", "/v1/{name}"), conflicts: true),
        ConflictCase(first: ("GET", "/v1/{name}"), second: ("GET", "/v1/*"), conflicts: true),
        ConflictCase(first: ("GET", "/v1/{name=shelves/*}"), second: ("GET", "/v1/shelves/{id}"), conflicts: true),
        ConflictCase(first: ("GET", "/v1/{a=**}/x"), second: ("GET", "/v1/**/x"), conflicts: true),
        ConflictCase(first: ("GET", "/v1/{a=**}"), second: ("GET", "/v1/{b=**}"), conflicts: true),
        ConflictCase(first: ("GET", "/v1/%41"), second: ("GET", "/v1/A"), conflicts: true),
        ConflictCase(first: ("POST", "/v1/{n}:cancel"), second: ("POST", "/v1/*:cancel"), conflicts: true),
        ConflictCase(first: ("GET", "/v1/{name}"), second: ("POST", "/v1/{name}"), conflicts: false),
        ConflictCase(first: ("GET", "/v1/{name}"), second: ("GET", "/v1/{name}:cancel"), conflicts: false),
        ConflictCase(first: ("GET", "/v1/{name}:a"), second: ("GET", "/v1/{name}:b"), conflicts: false),
        ConflictCase(first: ("GET", "/v1/{name}"), second: ("GET", "/v1/x"), conflicts: false),
        ConflictCase(first: ("GET", "/v1/{a=**}"), second: ("GET", "/v1/{a=**}/x"), conflicts: false),
        ConflictCase(first: ("GET", "/v1/{a=**}"), second: ("GET", "/v1/*"), conflicts: false),
        ConflictCase(first: ("GET", "/v1/a"), second: ("GET", "/v1/a/b"), conflicts: false),
    ]

    @Test("rejects the same method with an equivalent template, whatever the variable names", arguments: cases)
    func equivalentTemplates(_ testCase: ConflictCase) throws {
        let routes = [
            RouteTable.Route(
                httpMethod: testCase.first.method,
                template: try PathTemplate(parsing: testCase.first.template),
                target: "first.Service/A"
            ),
            RouteTable.Route(
                httpMethod: testCase.second.method,
                template: try PathTemplate(parsing: testCase.second.template),
                target: "second.Service/B"
            ),
        ]
        guard testCase.conflicts else {
            let table = try RouteTable(routes: routes)
            #expect(table.routes.count == 2)
            return
        }
        let error = #expect(throws: RouteConflictError.self) { try RouteTable(routes: routes) }
        #expect(error?.code == .equivalentTemplates)
        #expect(
            error?.conflicts == [
                RouteConflictError.Conflict(
                    httpMethod: testCase.second.method,
                    existingTemplate: try PathTemplate(parsing: testCase.first.template),
                    existingTarget: "first.Service/A",
                    conflictingTemplate: try PathTemplate(parsing: testCase.second.template),
                    conflictingTarget: "second.Service/B"
                )
            ]
        )
        let description = error?.description ?? ""
        for name in [testCase.first.template, testCase.second.template, "first.Service/A", "second.Service/B"] {
            #expect(description.contains(name), "\(description) names \(name)")
        }
    }

    @Test("reports every conflict of the table, naming targets with the describe function")
    func reportsAllConflicts() throws {
        struct Target: Sendable {
            var method: String
        }
        func route(_ method: String, _ template: String, _ target: String) throws -> RouteTable<Target>.Route {
            RouteTable.Route(
                httpMethod: method, template: try PathTemplate(parsing: template), target: Target(method: target))
        }
        // An HttpRule whose additional_bindings repeat its own binding, and two services claiming one path.
        let routes = [
            try route("GET", "/v1/{name=books/*}", "library.Library/GetBook"),
            try route("GET", "/v1/{name=books/*}", "library.Library/GetBook"),
            try route("POST", "/v1/books", "library.Library/CreateBook"),
            try route("POST", "/v1/{parent=books}", "store.Store/CreateBook"),
            try route("GET", "/v1/books/{id}/cover", "library.Library/GetCover"),
        ]
        let error = #expect(throws: RouteConflictError.self) {
            try RouteTable(routes: routes, describe: { "rpc \($0.method)" })
        }
        #expect(
            error?.conflicts.map(\.conflictingTarget) == ["rpc library.Library/GetBook", "rpc store.Store/CreateBook"])
        #expect(
            error?.conflicts.map(\.existingTarget) == ["rpc library.Library/GetBook", "rpc library.Library/CreateBook"])
        #expect(
            error?.description
                == "equivalent templates: GET /v1/{name=books/*} (rpc library.Library/GetBook) matches the same paths "
                + "as GET /v1/{name=books/*} (rpc library.Library/GetBook); POST /v1/{parent=books} "
                + "(rpc store.Store/CreateBook) matches the same paths as POST /v1/books (rpc library.Library/CreateBook)"
        )
    }
}
