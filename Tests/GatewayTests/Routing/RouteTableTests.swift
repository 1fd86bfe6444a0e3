import Gateway
import Testing

@Suite("RouteTable matching")
struct RouteTableTests {
    /// A request and what it must match: a target with its variables (field path joined by "."), or another
    /// outcome.
    struct Request: Sendable, CustomTestStringConvertible {
        var method: String
        var path: String
        var expected: RouteMatch<String>
        var testDescription: String { "\(method) \(path)" }

        init(_ method: String, _ path: String, _ expected: RouteMatch<String>) {
            self.method = method
            self.path = path
            self.expected = expected
        }
    }

    static func table(
        _ routes: [(method: String, template: String, target: String)],
        config: RouteTable<String>.Config = .defaults
    ) throws -> RouteTable<String> {
        try RouteTable(
            routes: routes.map { route in
                RouteTable.Route(
                    httpMethod: route.method,
                    template: try PathTemplate(parsing: route.template),
                    target: route.target
                )
            },
            config: config
        )
    }

    static func matched(_ target: String, _ variables: KeyValuePairs<String, String> = [:]) -> RouteMatch<String> {
        .matched(
            target,
            variables: variables.map {
                PathVariable(fieldPath: $0.key.split(separator: ".").map(String.init), value: $0.value)
            }
        )
    }

    static func invalid(_ reason: String) -> RouteMatch<String> {
        .invalidPath(reason: reason)
    }

    // MARK: Precedence

    static let precedenceRoutes: [(method: String, template: String, target: String)] = [
        ("GET", "/v1/shelves/default", "literal"),
        ("GET", "/v1/shelves/{id}", "single"),
        ("GET", "/v1/{path=**}", "multi"),
    ]

    static let precedenceRequests: [Request] = [
        Request("GET", "/v1/shelves/default", matched("literal")),
        Request("GET", "/v1/shelves/other", matched("single", ["id": "other"])),
        Request("GET", "/v1/shelves/a/b", matched("multi", ["path": "shelves/a/b"])),
        Request("GET", "/v1/shelves", matched("multi", ["path": "shelves"])),
        Request("GET", "/v1", matched("multi", ["path": ""])),
    ]

    static func permutations<Element>(_ elements: [Element]) -> [[Element]] {
        guard elements.count > 1 else { return [elements] }
        return elements.indices.flatMap { index in
            var rest = elements
            let first = rest.remove(at: index)
            return permutations(rest).map { [first] + $0 }
        }
    }

    @Test(
        "a literal beats '*', which beats '**', whatever the registration order",
        arguments: permutations(Array(precedenceRoutes.indices))
    )
    func precedenceIgnoresRegistrationOrder(_ order: [Int]) throws {
        let table = try Self.table(order.map { Self.precedenceRoutes[$0] })
        for request in Self.precedenceRequests {
            #expect(table.match(method: request.method, path: request.path[...]) == request.expected, "\(request)")
        }
    }

    @Test("a failed literal branch backtracks to the '*' branch", arguments: [true, false])
    func backtracksFromLiteralToWildcard(literalFirst: Bool) throws {
        var routes: [(method: String, template: String, target: String)] = [
            ("GET", "/v1/shelves/default/books", "default books"),
            ("GET", "/v1/shelves/{id}/covers", "covers"),
            ("DELETE", "/v1/shelves/{id}", "delete shelf"),
            ("GET", "/v1/shelves/default", "default shelf"),
        ]
        if !literalFirst { routes.reverse() }
        let table = try Self.table(routes)
        #expect(
            table.match(method: "GET", path: "/v1/shelves/default/covers") == Self.matched("covers", ["id": "default"]))
        #expect(table.match(method: "GET", path: "/v1/shelves/default/books") == Self.matched("default books"))
        #expect(
            table.match(method: "DELETE", path: "/v1/shelves/default")
                == Self.matched("delete shelf", ["id": "default"]))
        #expect(table.match(method: "GET", path: "/v1/shelves/default") == Self.matched("default shelf"))
        #expect(table.match(method: "GET", path: "/v1/shelves/x") == .methodNotAllowed(allowed: ["DELETE"]))
    }

    @Test("among '**' routes, the longest literal suffix wins", arguments: [true, false])
    func longestMultiWildcardSuffixWins(shortFirst: Bool) throws {
        var routes: [(method: String, template: String, target: String)] = [
            ("GET", "/files/{path=**}", "any"),
            ("GET", "/files/{path=**}/meta", "meta"),
            ("GET", "/files/{path=**}/meta/raw", "raw meta"),
        ]
        if !shortFirst { routes.reverse() }
        let table = try Self.table(routes)
        #expect(table.match(method: "GET", path: "/files/a/b/meta") == Self.matched("meta", ["path": "a/b"]))
        #expect(table.match(method: "GET", path: "/files/a/meta/raw") == Self.matched("raw meta", ["path": "a"]))
        #expect(table.match(method: "GET", path: "/files/meta/raw") == Self.matched("raw meta", ["path": ""]))
        #expect(table.match(method: "GET", path: "/files/meta") == Self.matched("meta", ["path": ""]))
        #expect(table.match(method: "GET", path: "/files/a/raw") == Self.matched("any", ["path": "a/raw"]))
    }

    // MARK: '**'

    static let multiWildcardRoutes: [(method: String, template: String, target: String)] = [
        ("GET", "/files/{path=**}", "files"),
        ("GET", "/v1/{name=buckets/*/objects/**}/meta", "object meta"),
        ("GET", "/v1/**:download", "download"),
    ]

    static let multiWildcardRequests: [Request] = [
        Request("GET", "/files", matched("files", ["path": ""])),
        Request("GET", "/files/a", matched("files", ["path": "a"])),
        Request("GET", "/files/a/b/c.txt", matched("files", ["path": "a/b/c.txt"])),
        Request("GET", "/files/a//b", matched("files", ["path": "a//b"])),
        Request("GET", "/v1/buckets/b/objects/meta", matched("object meta", ["name": "buckets/b/objects"])),
        Request("GET", "/v1/buckets/b/objects/x/y/meta", matched("object meta", ["name": "buckets/b/objects/x/y"])),
        Request("GET", "/v1/buckets/b/objects/x/y", .notFound),
        Request("GET", "/v1/buckets/b/meta", .notFound),
        Request("GET", "/v1/a/b:download", matched("download")),
        Request("GET", "/v1:download", matched("download")),
    ]

    @Test("'**' matches zero or more segments", arguments: multiWildcardRequests)
    func multiWildcard(_ request: Request) throws {
        let table = try Self.table(Self.multiWildcardRoutes)
        #expect(table.match(method: request.method, path: request.path[...]) == request.expected)
    }

    // MARK: Verbs

    static let verbRoutes: [(method: String, template: String, target: String)] = [
        ("POST", "/v1/{name=operations/*}:cancel", "cancel"),
        ("GET", "/v1/{name=operations/*}", "get"),
        ("GET", "/v1/things:batchGet", "batch get"),
        ("GET", "/v2/{name}", "v2 get"),
        ("POST", "/v3/{name}:publish", "publish"),
    ]

    static let verbRequests: [Request] = [
        Request("POST", "/v1/operations/op1:cancel", matched("cancel", ["name": "operations/op1"])),
        Request("GET", "/v1/operations/op1", matched("get", ["name": "operations/op1"])),
        // The verb reading matches under POST, so it wins over reading the colon as data.
        Request("GET", "/v1/operations/op1:cancel", .methodNotAllowed(allowed: ["POST"])),
        // An unregistered verb is data.
        Request("GET", "/v1/operations/a:b", matched("get", ["name": "operations/a:b"])),
        // A registered verb that no route matches with is data too.
        Request("GET", "/v2/doc:publish", matched("v2 get", ["name": "doc:publish"])),
        Request("GET", "/v2/doc:cancel", matched("v2 get", ["name": "doc:cancel"])),
        // An encoded colon never starts a verb.
        Request("POST", "/v1/operations/op1%3Acancel", .methodNotAllowed(allowed: ["GET"])),
        Request("GET", "/v1/operations/op1%3Acancel", matched("get", ["name": "operations/op1:cancel"])),
        Request("GET", "/v1/things:batchGet", matched("batch get")),
        Request("GET", "/v1/things", .notFound),
        Request("GET", "/v1/things:batchget", .notFound),
        Request("POST", "/v3/doc:publish", matched("publish", ["name": "doc"])),
        Request("POST", "/v3/doc", .notFound),
        Request("POST", "/v3/doc:pub%6Cish", matched("publish", ["name": "doc"])),
        Request("POST", "/v3/a:b:publish", matched("publish", ["name": "a:b"])),
        Request("POST", "/v3/:publish", .notFound),
    ]

    @Test("a custom verb is split off only when some template declares it", arguments: verbRequests)
    func customVerbs(_ request: Request) throws {
        let table = try Self.table(Self.verbRoutes)
        #expect(table.match(method: request.method, path: request.path[...]) == request.expected)
    }

    // MARK: Percent-decoding

    static let decodingRoutes: [(method: String, template: String, target: String)] = [
        ("GET", "/v1/shelves/{id}", "shelf"),
        ("GET", "/v1/{name=books/*}", "book"),
        ("GET", "/v2/{name}", "single"),
        ("GET", "/files/{path=**}", "files"),
        ("GET", "/v3/caf%C3%A9/{id}", "cafe"),
    ]

    static let decodingRequests: [Request] = [
        Request("GET", "/v2/caf%C3%A9", matched("single", ["name": "café"])),
        Request("GET", "/v2/café", matched("single", ["name": "café"])),
        Request("GET", "/v2/a%2Fb", matched("single", ["name": "a/b"])),
        Request("GET", "/v2/a%20b%3F%25", matched("single", ["name": "a b?%"])),
        Request("GET", "/v1/books/a%2Fb", matched("book", ["name": "books/a%2Fb"])),
        Request("GET", "/v1/books/a%2fb%20c", matched("book", ["name": "books/a%2fb c"])),
        Request("GET", "/files/a%20b/c%2Fd", matched("files", ["path": "a b/c%2Fd"])),
        Request("GET", "/v1/%73helves/x", matched("shelf", ["id": "x"])),
        Request("GET", "/v1/shelves%2Fx", .notFound),
        Request("GET", "/v3/caf%c3%a9/1", matched("cafe", ["id": "1"])),
        Request("GET", "/v3/café/1", matched("cafe", ["id": "1"])),
        Request("GET", "/v2/%G1", invalid("malformed percent escape at offset 4")),
        Request("GET", "/v2/%4", invalid("malformed percent escape at offset 4")),
        Request("GET", "/v2/ab%", invalid("malformed percent escape at offset 6")),
        Request("GET", "/nowhere/%zz", invalid("malformed percent escape at offset 9")),
        Request("GET", "/v2/%C3", invalid("path decodes to invalid UTF-8 at offset 4")),
        Request("GET", "/v2/%C3%28", invalid("path decodes to invalid UTF-8 at offset 4")),
        Request("GET", "/v2/%ED%A0%80", invalid("path decodes to invalid UTF-8 at offset 4")),
        Request("GET", "/v2/%C0%AF", invalid("path decodes to invalid UTF-8 at offset 4")),
        Request("GET", "/v2/é%A9", invalid("path decodes to invalid UTF-8 at offset 6")),
        Request("GET", "v2/x", invalid("the path must start with '/'")),
        Request("GET", "", invalid("the path must start with '/'")),
        Request("GET", "*", invalid("the path must start with '/'")),
    ]

    @Test("splits before decoding and decodes values by the number of segments they span", arguments: decodingRequests)
    func percentDecoding(_ request: Request) throws {
        let table = try Self.table(Self.decodingRoutes)
        #expect(table.match(method: request.method, path: request.path[...]) == request.expected)
    }

    // MARK: Methods, 404 and 405

    static let methodRoutes: [(method: String, template: String, target: String)] = [
        ("GET", "/v1/{name}", "get"),
        ("PATCH", "/v1/{name}", "update"),
        ("DELETE", "/v1/{name}", "delete"),
        ("GET", "/v1/special", "special"),
        ("POST", "/v1/things", "create"),
        ("LIST", "/v1/things", "custom list"),
        ("POST", "/pkg.Svc/Method", "unannotated"),
    ]

    static let methodRequests: [Request] = [
        Request("PUT", "/v1/x", .methodNotAllowed(allowed: ["DELETE", "GET", "PATCH"])),
        Request("PUT", "/v1/special", .methodNotAllowed(allowed: ["DELETE", "GET", "PATCH"])),
        Request("PATCH", "/v1/special", matched("update", ["name": "special"])),
        Request("GET", "/v1/things", matched("get", ["name": "things"])),
        Request("LIST", "/v1/things", matched("custom list")),
        Request("HEAD", "/v1/x", .methodNotAllowed(allowed: ["DELETE", "GET", "PATCH"])),
        Request("get", "/v1/x", .methodNotAllowed(allowed: ["DELETE", "GET", "PATCH"])),
        Request("POST", "/pkg.Svc/Method", matched("unannotated")),
        Request("GET", "/pkg.Svc/Method", .methodNotAllowed(allowed: ["POST"])),
        Request("POST", "/pkg.Svc/Other", .notFound),
        Request("POST", "/pkg.Svc", .notFound),
        Request("GET", "/v2/x", .notFound),
        Request("GET", "/v1", .notFound),
        Request("GET", "/v1/a/b", .notFound),
        Request("GET", "/", .notFound),
        Request("GET", "//v1/x", .notFound),
        Request("GET", "/v1//", .notFound),
    ]

    @Test("a path matching only other methods gives 405 with the allowed list, else 404", arguments: methodRequests)
    func methods(_ request: Request) throws {
        let table = try Self.table(Self.methodRoutes)
        #expect(table.match(method: request.method, path: request.path[...]) == request.expected)
    }

    // MARK: Trailing slash and empty segments

    @Test("trailing slashes are ignored by default")
    func trailingSlashIgnored() throws {
        let table = try Self.table([("GET", "/v1/shelves", "list"), ("GET", "/v1/shelves/{id}", "get")])
        #expect(table.match(method: "GET", path: "/v1/shelves/") == Self.matched("list"))
        #expect(table.match(method: "GET", path: "/v1/shelves//") == Self.matched("list"))
        #expect(table.match(method: "GET", path: "/v1/shelves/a/") == Self.matched("get", ["id": "a"]))
        #expect(table.match(method: "GET", path: "/v1//shelves") == .notFound)
        #expect(table.match(method: "GET", path: "/v1/shelves//a") == .notFound)
    }

    @Test("a significant trailing slash is an empty segment only '**' matches")
    func trailingSlashSignificant() throws {
        let table = try Self.table(
            [("GET", "/v1/shelves", "list"), ("GET", "/v1/shelves/{id}", "get"), ("GET", "/files/{path=**}", "files")],
            config: .init(trailingSlashIsSignificant: true)
        )
        #expect(table.match(method: "GET", path: "/v1/shelves") == Self.matched("list"))
        #expect(table.match(method: "GET", path: "/v1/shelves/") == .notFound)
        #expect(table.match(method: "GET", path: "/files/a/") == Self.matched("files", ["path": "a/"]))
        #expect(table.match(method: "GET", path: "/files/") == Self.matched("files", ["path": ""]))
    }

    // MARK: Nested field paths and several variables

    @Test("binds every variable, with nested field paths, in template order")
    func severalVariables() throws {
        let table = try Self.table([
            ("GET", "/v1/{parent=projects/*/locations/*}/books/{book.id}:read", "read")
        ])
        #expect(
            table.match(method: "GET", path: "/v1/projects/p%201/locations/eu/books/42:read")
                == Self.matched("read", ["parent": "projects/p 1/locations/eu", "book.id": "42"])
        )
    }

    // MARK: Printing order

    @Test("routes are listed in precedence order, then verb and method")
    func routesAreSorted() throws {
        let table = try Self.table([
            ("GET", "/v1/{path=**}", "multi"),
            ("POST", "/v1/{id}", "post single"),
            ("GET", "/v1/{id}", "single"),
            ("POST", "/v1/{id}:cancel", "cancel"),
            ("GET", "/v1/b", "b"),
            ("GET", "/v1/a/x", "a x"),
            ("GET", "/v1/a", "a"),
        ])
        #expect(table.routes.map(\.target) == ["a", "a x", "b", "single", "post single", "cancel", "multi"])
    }
}
