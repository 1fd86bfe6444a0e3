import DemoServices
import Foundation
import Testing

@testable import Gateway

/// What a runtime built on top of another keeps: the backends that did not change (with their routes, balancer
/// and connections) and the precedence of routes served first.
@Suite("Runtime rebuilt after a change")
struct RuntimeRebuildTests {
    static func backend(_ name: String, _ kind: DemoBackend.Kind) -> GatewayConfig.Backend {
        GatewayConfig.Backend(
            name: name, descriptorFiles: [DemoBackend.descriptorSetURL(for: kind).path],
            endpoints: [SocketAddressText(host: "127.0.0.1", port: 1)])
    }

    static func target(_ runtime: GatewayRuntime, _ method: String, _ path: String) -> RouteTarget? {
        guard case .matched(let target, _) = runtime.routes.match(method: method, path: path[...]) else { return nil }
        return target
    }

    @Test("kept backends keep their runtime, balancer and built routes; the others are made anew")
    func keptBackends() throws {
        let config = GatewayConfig(backends: [Self.backend("echo", .echo), Self.backend("library", .library)])
        let first = try GatewayRuntime(config: config)
        var inputs = RuntimeInputs()
        inputs.previous = first
        inputs.keptBackends = ["echo"]
        inputs.types = first.types
        let second = try GatewayRuntime(config: config, inputs: inputs)
        #expect(second.backends[0] === first.backends[0])
        #expect(second.backends[1] !== first.backends[1])
        let echo = try #require(Self.target(second, "GET", "/v1/echo/hi"))
        #expect(echo === Self.target(first, "GET", "/v1/echo/hi"), "the kept backend's routes are not rebuilt")
        let book = try #require(Self.target(second, "GET", "/v1/shelves/1/books/2"))
        #expect(book !== Self.target(first, "GET", "/v1/shelves/1/books/2"))
        #expect(book.backend === second.backends[1])
    }

    @Test("of two backends serving one service, the one served first keeps it, whatever the order in the config")
    func firstServedKeeps() throws {
        let first = try GatewayRuntime(config: GatewayConfig(backends: [Self.backend("a", .echo)]))
        #expect(first.serviceConflicts.isEmpty)
        var inputs = RuntimeInputs()
        inputs.previous = first
        inputs.keptBackends = ["a"]
        inputs.types = first.types
        let both = GatewayConfig(backends: [Self.backend("b", .echo), Self.backend("a", .echo)])
        let second = try GatewayRuntime(config: both, inputs: inputs)
        #expect(Self.target(second, "GET", "/v1/echo/hi")?.backend.name == "a")
        #expect(second.backendsByService["portico.demo.echo.v1.EchoService"]?.name == "a")
        #expect(
            second.serviceConflicts
                == [.init(service: "portico.demo.echo.v1.EchoService", keptBackend: "a", leftOutBackend: "b")])
        #expect(second.routes.leftOut.isEmpty, "b's routes are left out with its service, not listed one by one")

        let fresh = try GatewayRuntime(config: both)
        #expect(Self.target(fresh, "GET", "/v1/echo/hi")?.backend.name == "b", "at start-up, config order decides")
    }

    @Test("the route table keeps the first of two equivalent routes and lists the other as left out")
    func tableKeepsFirst() throws {
        typealias Table = RouteTable<String>
        let table = Table(keepingFirstOf: [
            .init(httpMethod: "GET", template: try PathTemplate(parsing: "/v1/{name}"), target: "first"),
            .init(httpMethod: "GET", template: try PathTemplate(parsing: "/v1/{id}"), target: "second"),
            .init(httpMethod: "POST", template: try PathTemplate(parsing: "/v1/{id}"), target: "third"),
        ])
        #expect(table.count == 2)
        #expect(table.leftOut.map(\.route.target) == ["second"])
        #expect(table.leftOut.first?.kept.target == "first")
        guard case .matched(let target, _) = table.match(method: "GET", path: "/v1/x") else {
            Issue.record("GET /v1/x matches")
            return
        }
        #expect(target == "first")
    }
}
