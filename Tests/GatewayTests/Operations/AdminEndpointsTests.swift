import DemoServices
import Foundation
import Gateway
import PorticoTestSupport
import Testing

@Suite("Admin endpoints: /readyz, /routes, /endpoints")
struct AdminEndpointsTests {
    func admin(_ gateway: GatewayHarness) -> CurlClient {
        CurlClient(baseURL: "http://\(gateway.adminAddress)")
    }

    @Test("/routes lists the live route table with gRPC method and backend")
    func routes() async throws {
        try await withGateway(echo: 1, library: 1) { gateway in
            let reply = try await admin(gateway).send("GET", "/routes")
            #expect(reply.status == 200)
            let routes = try #require(try reply.json["routes"] as? [[String: Any]])
            #expect(routes.count == gateway.server.routes.routes.count)
            let echo = try #require(routes.first { $0["path"] as? String == "/v1/echo" && $0["method"] as? String == "POST" })
            #expect(echo["grpcMethod"] as? String == "portico.demo.echo.v1.EchoService.Echo")
            #expect(echo["backend"] as? String == "echo")
            #expect(echo["grpcType"] as? String == "unary")
            #expect(routes.contains { $0["backend"] as? String == "library" })
        }
    }

    @Test("/endpoints shows each endpoint's state, load and EWMA from the balancer")
    func endpoints() async throws {
        try await withGateway(echo: 2, library: 0) { gateway in
            #expect(try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"hi"}"#).status == 200)
            let reply = try await admin(gateway).send("GET", "/endpoints")
            #expect(reply.status == 200)
            let backends = try #require(try reply.json["backends"] as? [[String: Any]])
            let echo = try #require(backends.first { $0["name"] as? String == "echo" })
            #expect(echo["strategy"] as? String == "round-robin")
            let endpoints = try #require(echo["endpoints"] as? [[String: Any]])
            #expect(Set(endpoints.compactMap { $0["address"] as? String }) == Set(gateway.backends.map { "\($0.host):\($0.port)" }))
            for endpoint in endpoints {
                #expect(endpoint["state"] as? String == "serving")
                #expect(endpoint["inFlight"] as? Int == 0)
                #expect((endpoint["ewmaSeconds"] as? Double ?? -1) > 0)
                #expect(endpoint["timesEjected"] as? Int == 0)
            }
            let connections = Set(endpoints.compactMap { $0["connection"] as? String })
            #expect(connections.isSubset(of: ["ready", "connecting"]) && !connections.isEmpty, "\(connections)")
            #expect(endpoints.contains { $0["connection"] as? String == "ready" }, "the pod that served is ready")
        }
    }

    @Test("/readyz needs a backend with endpoints, unless the config says otherwise")
    func readyNeedsEndpoints() async throws {
        try await withGateway(echo: 1, library: 0, configure: { $0.update(backend: "echo") { $0.endpoints = [] } }) { gateway in
            let reply = try await admin(gateway).send("GET", "/readyz")
            #expect(reply.status == 503)
            #expect(try reply.json["reason"] as? String == "no backend has an endpoint")
            #expect(try await admin(gateway).send("GET", "/healthz").status == 200)
        }
        try await withGateway(echo: 1, library: 0, configure: { config in
            config.update(backend: "echo") { $0.endpoints = [] }
            config.lifecycle.readyRequiresEndpoints = false
        }) { gateway in
            let reply = try await admin(gateway).send("GET", "/readyz")
            #expect(reply.status == 200, "\(reply)")
        }
    }
}
